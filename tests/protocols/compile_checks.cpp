// Compile-time checks: this file has no tests, only static_asserts, so breaking one breaks the
// build of weft_protocols_tests. Twisted raises NotImplementedError at run time when a
// LineReceiver, LineOnlyReceiver or NetstringReceiver subclass does not override the delivery
// method (test_basic.py's LineReceiver/LineOnlyReceiver/Netstring "NotImplemented" cases);
// here the method is pure virtual, so such a subclass cannot even be instantiated.
#include <type_traits>

#include "weft/protocols/line_only_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/protocols/netstring_receiver.hpp"

namespace weft {
namespace {

static_assert(std::is_abstract_v<LineReceiver>, "lineReceived must be pure virtual");
static_assert(std::is_abstract_v<LineOnlyReceiver>, "lineReceived must be pure virtual");
static_assert(std::is_abstract_v<NetstringReceiver>, "stringReceived must be pure virtual");

}  // namespace
}  // namespace weft
