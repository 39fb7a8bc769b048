#pragma once
#include <memory>

#include "weft/reactor.hpp"

namespace weft {
std::unique_ptr<Reactor> makeAsioReactor();
}
