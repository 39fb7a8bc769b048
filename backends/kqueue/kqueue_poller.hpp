#pragma once
#include <memory>

#include "weft/poller.hpp"

namespace weft {
std::unique_ptr<Poller> makeKqueuePoller();
}
