// The Vulkan device layer (Vulkan-Hpp RAII): device choice, host-visible
// storage buffers, compute pipelines from SPIR-V, and timed dispatch sequences
// (timestamp queries). Validation messages are counted so tests can fail on any.
#pragma once

#define VULKAN_HPP_NO_CONSTRUCTORS
#include <vulkan/vulkan_raii.hpp>

#include <wino/errors.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wino {

struct VulkanOptions {
    int device_index = -1;    // -1: $WINO_VULKAN_DEVICE, else 0
    bool validation = false;  // Khronos validation layer, messages counted
};

class VulkanDevice {
public:
    class Buffer {
    public:
        Buffer(vk::raii::Buffer buffer, vk::raii::DeviceMemory memory, std::size_t bytes, void* mapped);
        float* floats() { return static_cast<float*>(mapped_); }
        const float* floats() const { return static_cast<const float*>(mapped_); }
        std::size_t bytes() const { return bytes_; }
        const vk::raii::Buffer& handle() const { return buffer_; }

    private:
        vk::raii::Buffer buffer_;
        vk::raii::DeviceMemory memory_;
        std::size_t bytes_;
        void* mapped_;
    };

    // How a shader sees a buffer: written (storage buffer) or read through a
    // uniform texel buffer of one or four floats, or 16-bit floats, per texel.
    enum class Binding { storage, texels1, texels4, half_texels1, half_texels4, int_texels1, int_texels4, int8_texels1 };

    struct Pipeline {
        vk::raii::DescriptorSetLayout set_layout;
        vk::raii::PipelineLayout layout;
        vk::raii::Pipeline pipeline;
        std::vector<Binding> bindings;
        std::uint32_t push_constant_bytes;
    };

    // A window of a buffer, as bound to a shader.
    struct BufferView {
        const Buffer* buffer;
        std::size_t offset, bytes;
    };

    struct Dispatch {
        const Pipeline* pipeline;
        std::vector<BufferView> buffers;
        const void* push_constants;  // the pipeline's push_constant_bytes
        std::uint32_t groups[3];
    };

    explicit VulkanDevice(const VulkanOptions& options = {});
    ~VulkanDevice();

    std::string name() const;  // "vulkan:0 llvmpipe (...)"
    int index() const { return index_; }
    const vk::PhysicalDeviceProperties& properties() const { return properties_; }
    // 16-bit storage buffers (enabled when offered) and 16-bit texel formats.
    bool half_storage() const { return half_storage_; }
    // fp16 arithmetic in shaders (shaderFloat16, enabled when offered).
    bool half_arithmetic() const { return half_arithmetic_; }
    // 4-way int8 dot products in shaders (VK_KHR_shader_integer_dot_product's
    // shaderIntegerDotProduct, enabled when offered).
    bool integer_dot_product() const { return integer_dot_product_; }
    // 8-bit storage buffers (storageBuffer8BitAccess, enabled when offered)
    // and 8-bit integer texels (R8_SINT).
    bool int8_storage() const { return int8_storage_; }
    // The lanes of every compute subgroup where shuffles among them are
    // offered (Vulkan 1.1's subgroup properties; the least and most sizes of
    // VK_EXT_subgroup_size_control alike, and its computeFullSubgroups,
    // enabled); 0 otherwise.
    std::uint32_t subgroup_size() const { return subgroup_size_; }
    // The M x N x K shapes of cooperative matrices (VK_NV_cooperative_matrix,
    // enabled with the Vulkan memory model where offered with it and fp16
    // arithmetic) that multiply binary16 operands into fp32 sums in a
    // subgroup; empty where there are none.
    const std::vector<std::array<std::uint32_t, 3>>& cooperative_matrix_shapes() const { return cooperative_matrix_shapes_; }
    const vk::PhysicalDeviceLimits& limits() const { return properties_.limits; }

    // Throws DeviceError when bytes exceed the device's storage buffer range.
    std::unique_ptr<Buffer> make_buffer(std::size_t bytes);
    // full_subgroups: every subgroup of a workgroup has subgroup_size() lanes
    // (requireFullSubgroups), for a kernel whose threads are counted by subgroups.
    Pipeline make_pipeline(const std::vector<std::uint32_t>& spirv, const std::vector<Binding>& bindings,
                           std::uint32_t push_constant_bytes, bool full_subgroups = false);
    // Throws DeviceError when a view of `bytes` at `offset` cannot be bound as
    // texels of `binding` (element count or offset alignment).
    void check_texel_view(Binding binding, std::size_t offset, std::size_t bytes) const;

    // Records the dispatches in order (with barriers), submits, waits; returns the
    // device time in milliseconds of each dispatch (timestamps between them).
    std::vector<double> run(const std::vector<Dispatch>& dispatches);

    int validation_messages() const;
    std::string last_validation_message() const;

    struct Messages;  // filled by the validation callback

private:
    std::unique_ptr<Messages> messages_;
    vk::raii::Context context_;
    vk::raii::Instance instance_{nullptr};
    vk::raii::DebugUtilsMessengerEXT messenger_{nullptr};
    vk::raii::PhysicalDevice physical_{nullptr};
    vk::raii::Device device_{nullptr};
    vk::raii::Queue queue_{nullptr};
    vk::raii::CommandPool pool_{nullptr};
    vk::PhysicalDeviceProperties properties_;
    bool half_storage_ = false;
    bool half_arithmetic_ = false;
    bool integer_dot_product_ = false;
    bool int8_storage_ = false;
    std::uint32_t subgroup_size_ = 0;
    std::vector<std::array<std::uint32_t, 3>> cooperative_matrix_shapes_;
    std::uint32_t queue_family_ = 0;
    int index_ = 0;
};

}  // namespace wino
