// A fixture for tests/layers: a generator header that breaks the map twice.
#pragma once
#include "runtime/executor.hpp"
#include "exact.hpp"
#include "generator/points.hpp"
