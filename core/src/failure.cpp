#include "weft/failure.hpp"

#include <cstdlib>
#include <memory>

#if defined(__GNUG__)
#include <cxxabi.h>
#endif

namespace weft {

namespace {

std::string demangle(const char* name) {
#if defined(__GNUG__)
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  if (status == 0 && out) return out.get();
#endif
  return name;
}

}  // namespace

Failure::Failure(std::exception_ptr e, SourceLocation where)
    : exception_(std::move(e)), where_(where) {
  if (!exception_) {
    exception_ = std::make_exception_ptr(std::logic_error("Failure made from an empty exception"));
  }
  try {
    std::rethrow_exception(exception_);
  } catch (const std::exception& ex) {
    type_ = &typeid(ex);
  } catch (...) {
  }
}

std::string Failure::typeName() const {
  return type_ ? demangle(type_->name()) : "(non-standard exception)";
}

std::string Failure::message() const {
  try {
    std::rethrow_exception(exception_);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "(non-standard exception)";
  }
}

std::string Failure::describe() const {
  return typeName() + ": " + message() + " (at " + where_.file_name() + ":" +
         std::to_string(where_.line()) + " in " + where_.function_name() + ")";
}

FirstError::FirstError(size_t index, Failure failure)
    : std::runtime_error("input " + std::to_string(index) + " failed: " + failure.typeName() +
                         ": " + failure.message()),
      index_(index),
      failure_(std::move(failure)) {}

}  // namespace weft
