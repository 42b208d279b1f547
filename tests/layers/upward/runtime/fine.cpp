// A fixture for tests/layers: a runtime file that keeps the map.
#include "runtime/fine.hpp"
#include "templates/layer.hpp"
#include <wino/errors.hpp>
