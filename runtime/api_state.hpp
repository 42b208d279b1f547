// What the public API's handles hold (include/wino/conv2d.hpp), for the parts
// of wino-gen that run layers through the API yet need the executor beneath
// (the tuner, the tuning database's device identity) or a ConvConfig the
// parameter table already holds (run_layer).
#pragma once

#include "templates/layer_plan.hpp"
#include "runtime/executor.hpp"

#include <wino/conv2d.hpp>

#include <memory>

namespace wino::detail {

struct DeviceState {
    std::shared_ptr<Executor> executor;
    static Executor& executor_of(Device& device) { return *device.state_->executor; }
};

struct BufferState {
    std::shared_ptr<Executor> executor;  // the device outlives its buffers
    std::unique_ptr<DeviceArray> array;
};

struct Conv2dState {
    std::shared_ptr<Executor> executor;
    ConvShape shape;  // the layer as its forward pass describes it (the plan's is the pass_shape)
    KernelChoice choice;
    std::unique_ptr<LoadedLayer> layer;
    // A Conv2d for a configuration the table's types already hold.
    static Conv2d make(Device& device, const ConvShape& shape, const ConvConfig& config);
    // The one way a Conv2d is loaded: a plan (a generated set's carries its SPIR-V) for the layer.
    static Conv2d load(Device& device, const ConvShape& shape, ConvPlan plan);
};

}  // namespace wino::detail
