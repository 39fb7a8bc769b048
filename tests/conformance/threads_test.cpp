#include "reactor_fixture.hpp"
