// Vulkan-Hpp RAII device layer.
#include "runtime/vulkan_device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <dlfcn.h>
#include <link.h>

namespace wino {

struct VulkanDevice::Messages {
    std::mutex guard;
    int count = 0;
    std::string last;
};

namespace {

constexpr const char* validation_layer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* messages = static_cast<VulkanDevice::Messages*>(user);
    std::lock_guard lock(messages->guard);
    ++messages->count;
    messages->last = data->pMessage ? data->pMessage : "";
    return VK_FALSE;
}

int chosen_index(int requested) {
    if (requested >= 0) return requested;
    const char* env = std::getenv("WINO_VULKAN_DEVICE");
    if (!env || !*env) return 0;
    char* end = nullptr;
    const long value = std::strtol(env, &end, 10);
    if (*end || value < 0) throw DeviceError(fmt::format("WINO_VULKAN_DEVICE must be a device number, not '{}'", env));
    return static_cast<int>(value);
}

#if defined(__SANITIZE_ADDRESS__)
// Under LeakSanitizer: the loader unloads the drivers with the last instance,
// and what their globals still held then looks leaked at exit. The loaded
// drivers are marked never to be unloaded.
void keep_drivers_loaded() {
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void*) {
            if (info->dlpi_name && std::strstr(info->dlpi_name, "libvulkan_"))
                dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
            return 0;
        },
        nullptr);
}
#else
void keep_drivers_loaded() {}
#endif

bool layer_available(const vk::raii::Context& context, const char* name) {
    for (const auto& layer : context.enumerateInstanceLayerProperties())
        if (std::strcmp(layer.layerName, name) == 0) return true;
    return false;
}

}  // namespace

VulkanDevice::Buffer::Buffer(vk::raii::Buffer buffer, vk::raii::DeviceMemory memory, std::size_t bytes, void* mapped)
    : buffer_(std::move(buffer)), memory_(std::move(memory)), bytes_(bytes), mapped_(mapped) {}

VulkanDevice::VulkanDevice(const VulkanOptions& options) : messages_(std::make_unique<Messages>()) {
    try {
        vk::ApplicationInfo app{.pApplicationName = "wino-gen", .apiVersion = VK_API_VERSION_1_2};
        std::vector<const char*> layers, extensions;
        if (options.validation) {
            if (!layer_available(context_, validation_layer))
                throw DeviceError("the Khronos validation layer is not installed (vulkan-validationlayers)");
            layers.push_back(validation_layer);
            extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        }
        instance_ = vk::raii::Instance(context_, vk::InstanceCreateInfo{
                                                     .pApplicationInfo = &app,
                                                     .enabledLayerCount = static_cast<std::uint32_t>(layers.size()),
                                                     .ppEnabledLayerNames = layers.data(),
                                                     .enabledExtensionCount = static_cast<std::uint32_t>(extensions.size()),
                                                     .ppEnabledExtensionNames = extensions.data()});
        if (options.validation) {
            using Severity = vk::DebugUtilsMessageSeverityFlagBitsEXT;
            using Type = vk::DebugUtilsMessageTypeFlagBitsEXT;
            messenger_ = instance_.createDebugUtilsMessengerEXT(vk::DebugUtilsMessengerCreateInfoEXT{
                .messageSeverity = Severity::eWarning | Severity::eError,
                .messageType = Type::eGeneral | Type::eValidation | Type::ePerformance,
                .pfnUserCallback = on_message,
                .pUserData = messages_.get()});
        }
        vk::raii::PhysicalDevices devices(instance_);
        keep_drivers_loaded();
        index_ = chosen_index(options.device_index);
        if (devices.empty()) throw DeviceError("no Vulkan device (install mesa-vulkan-drivers for lavapipe)");
        if (index_ >= static_cast<int>(devices.size()))
            throw DeviceError(fmt::format("no Vulkan device {}: there are {}", index_, devices.size()));
        physical_ = std::move(devices[index_]);
        properties_ = physical_.getProperties();
        const auto families = physical_.getQueueFamilyProperties();
        auto compute = std::find_if(families.begin(), families.end(), [](const vk::QueueFamilyProperties& f) {
            return static_cast<bool>(f.queueFlags & vk::QueueFlagBits::eCompute) && f.timestampValidBits > 0;
        });
        if (compute == families.end()) throw DeviceError(fmt::format("{} has no timed compute queue", properties_.deviceName.data()));
        queue_family_ = static_cast<std::uint32_t>(compute - families.begin());
        const float priority = 1.0f;
        vk::DeviceQueueCreateInfo queue_info{.queueFamilyIndex = queue_family_, .queueCount = 1, .pQueuePriorities = &priority};
        const auto features = physical_.getFeatures2<vk::PhysicalDeviceFeatures2, vk::PhysicalDevice16BitStorageFeatures,
                                                     vk::PhysicalDeviceShaderFloat16Int8Features, vk::PhysicalDevice8BitStorageFeatures>();
        auto texel_format_readable = [&](vk::Format format) {
            return static_cast<bool>(physical_.getFormatProperties(format).bufferFeatures &
                                     vk::FormatFeatureFlagBits::eUniformTexelBuffer);
        };
        half_storage_ = features.get<vk::PhysicalDevice16BitStorageFeatures>().storageBuffer16BitAccess &&
                        texel_format_readable(vk::Format::eR16Sfloat) && texel_format_readable(vk::Format::eR16G16B16A16Sfloat);
        int8_storage_ = features.get<vk::PhysicalDevice8BitStorageFeatures>().storageBuffer8BitAccess &&
                        texel_format_readable(vk::Format::eR8Sint);
        // fp16 kernels ask for conversions rounded to nearest even (their
        // RoundingModeRTE execution mode): unasked, lavapipe rounds fp32 to
        // fp16 toward zero.
        if (properties_.apiVersion >= VK_API_VERSION_1_2) {
            const auto float_controls =
                physical_.getProperties2<vk::PhysicalDeviceProperties2, vk::PhysicalDeviceFloatControlsProperties>();
            half_arithmetic_ = features.get<vk::PhysicalDeviceShaderFloat16Int8Features>().shaderFloat16 &&
                               float_controls.get<vk::PhysicalDeviceFloatControlsProperties>().shaderRoundingModeRTEFloat16;
        }
        // The instance asks for Vulkan 1.2: the integer dot product and the
        // subgroup size control are its extensions.
        std::vector<const char*> device_extensions;
        const auto offered = physical_.enumerateDeviceExtensionProperties();
        auto offers = [&](std::string_view extension) {
            return std::any_of(offered.begin(), offered.end(),
                               [&](const vk::ExtensionProperties& e) { return extension == e.extensionName.data(); });
        };
        if (offers(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME)) {
            integer_dot_product_ = physical_.getFeatures2<vk::PhysicalDeviceFeatures2, vk::PhysicalDeviceShaderIntegerDotProductFeatures>()
                                       .get<vk::PhysicalDeviceShaderIntegerDotProductFeatures>()
                                       .shaderIntegerDotProduct;
            if (integer_dot_product_) device_extensions.push_back(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
        }
        // A kernel unrolled for S lanes needs every compute subgroup to have S
        // (and to be full: requireFullSubgroups, which its pipelines ask for):
        // a device whose sizes vary (VK_EXT_subgroup_size_control's least and
        // most differ), or that does not say, gets none.
        if (offers(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME)) {
            const auto sizes = physical_.getProperties2<vk::PhysicalDeviceProperties2, vk::PhysicalDeviceSubgroupProperties,
                                                        vk::PhysicalDeviceSubgroupSizeControlProperties>();
            const auto& subgroups = sizes.get<vk::PhysicalDeviceSubgroupProperties>();
            const auto& range = sizes.get<vk::PhysicalDeviceSubgroupSizeControlProperties>();
            const bool full = physical_.getFeatures2<vk::PhysicalDeviceFeatures2, vk::PhysicalDeviceSubgroupSizeControlFeatures>()
                                  .get<vk::PhysicalDeviceSubgroupSizeControlFeatures>()
                                  .computeFullSubgroups;
            if (full && (subgroups.supportedStages & vk::ShaderStageFlagBits::eCompute) &&
                (subgroups.supportedOperations & vk::SubgroupFeatureFlagBits::eShuffle) &&
                range.minSubgroupSize == range.maxSubgroupSize && range.maxSubgroupSize == subgroups.subgroupSize) {
                subgroup_size_ = subgroups.subgroupSize;
                device_extensions.push_back(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
            }
        }
        // Cooperative matrices (glslang writes them under the Vulkan memory
        // model, in binary16): their binary16 x binary16 -> fp32 subgroup shapes.
        bool cooperative_matrix = false;
        if (offers(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) && half_arithmetic_) {
            const auto offered_features = physical_.getFeatures2<vk::PhysicalDeviceFeatures2, vk::PhysicalDeviceCooperativeMatrixFeaturesNV,
                                                                 vk::PhysicalDeviceVulkanMemoryModelFeatures>();
            cooperative_matrix = offered_features.get<vk::PhysicalDeviceCooperativeMatrixFeaturesNV>().cooperativeMatrix &&
                                 offered_features.get<vk::PhysicalDeviceVulkanMemoryModelFeatures>().vulkanMemoryModel;
        }
        if (cooperative_matrix) {
            device_extensions.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
            using T = vk::ComponentTypeNV;
            for (const vk::CooperativeMatrixPropertiesNV& shape : physical_.getCooperativeMatrixPropertiesNV())
                if (shape.AType == T::eFloat16 && shape.BType == T::eFloat16 && shape.CType == T::eFloat32 &&
                    shape.DType == T::eFloat32 && shape.scope == vk::ScopeNV::eSubgroup)
                    cooperative_matrix_shapes_.push_back({shape.MSize, shape.NSize, shape.KSize});
        }
        // An extension's features are chained only where it is enabled.
        void* extension_features = nullptr;
        vk::PhysicalDeviceSubgroupSizeControlFeatures full_subgroups{.computeFullSubgroups = true};
        if (subgroup_size_) extension_features = &full_subgroups;
        vk::PhysicalDeviceVulkanMemoryModelFeatures memory_model{.pNext = extension_features, .vulkanMemoryModel = true};
        vk::PhysicalDeviceCooperativeMatrixFeaturesNV cooperative{.pNext = &memory_model, .cooperativeMatrix = true};
        if (cooperative_matrix) extension_features = &cooperative;
        vk::PhysicalDeviceShaderIntegerDotProductFeatures integer_dot{.pNext = extension_features, .shaderIntegerDotProduct = true};
        if (integer_dot_product_) extension_features = &integer_dot;
        vk::PhysicalDevice8BitStorageFeatures eight_bit{.pNext = extension_features, .storageBuffer8BitAccess = int8_storage_};
        const vk::PhysicalDeviceShaderFloat16Int8Features float16{.pNext = &eight_bit, .shaderFloat16 = half_arithmetic_};
        const vk::PhysicalDevice16BitStorageFeatures enabled{.pNext = const_cast<vk::PhysicalDeviceShaderFloat16Int8Features*>(&float16),
                                                             .storageBuffer16BitAccess = half_storage_};
        device_ = vk::raii::Device(physical_, vk::DeviceCreateInfo{.pNext = &enabled, .queueCreateInfoCount = 1,
                                                                   .pQueueCreateInfos = &queue_info,
                                                                   .enabledExtensionCount = static_cast<std::uint32_t>(device_extensions.size()),
                                                                   .ppEnabledExtensionNames = device_extensions.data()});
        queue_ = device_.getQueue(queue_family_, 0);
        pool_ = device_.createCommandPool(vk::CommandPoolCreateInfo{
            .flags = vk::CommandPoolCreateFlagBits::eResetCommandBuffer, .queueFamilyIndex = queue_family_});
    } catch (const vk::SystemError& e) {
        throw DeviceError(fmt::format("Vulkan initialization failed: {}", e.what()));
    }
}

VulkanDevice::~VulkanDevice() = default;

std::string VulkanDevice::name() const { return fmt::format("vulkan:{} {}", index_, properties_.deviceName.data()); }

std::unique_ptr<VulkanDevice::Buffer> VulkanDevice::make_buffer(std::size_t bytes) {
    bytes = std::max<std::size_t>(bytes, 4);
    if (bytes > properties_.limits.maxStorageBufferRange)
        throw DeviceError(fmt::format("a buffer of {} bytes exceeds the device's storage buffer range of {} bytes", bytes,
                                      properties_.limits.maxStorageBufferRange));
    vk::raii::Buffer buffer = device_.createBuffer(vk::BufferCreateInfo{
        .size = bytes,
        .usage = vk::BufferUsageFlagBits::eStorageBuffer | vk::BufferUsageFlagBits::eUniformTexelBuffer,
        .sharingMode = vk::SharingMode::eExclusive});
    const auto needs = buffer.getMemoryRequirements();
    const auto memory_properties = physical_.getMemoryProperties();
    const auto wanted = vk::MemoryPropertyFlagBits::eHostVisible | vk::MemoryPropertyFlagBits::eHostCoherent;
    std::uint32_t type = memory_properties.memoryTypeCount;
    for (std::uint32_t t = 0; t < memory_properties.memoryTypeCount; ++t)
        if ((needs.memoryTypeBits & (1u << t)) && (memory_properties.memoryTypes[t].propertyFlags & wanted) == wanted) {
            type = t;
            break;
        }
    if (type == memory_properties.memoryTypeCount) throw DeviceError("no host-visible coherent memory for buffers");
    vk::raii::DeviceMemory memory = device_.allocateMemory(vk::MemoryAllocateInfo{.allocationSize = needs.size, .memoryTypeIndex = type});
    buffer.bindMemory(*memory, 0);
    void* mapped = memory.mapMemory(0, bytes);
    return std::make_unique<Buffer>(std::move(buffer), std::move(memory), bytes, mapped);
}

namespace {

vk::DescriptorType descriptor_type(VulkanDevice::Binding binding) {
    return binding == VulkanDevice::Binding::storage ? vk::DescriptorType::eStorageBuffer
                                                     : vk::DescriptorType::eUniformTexelBuffer;
}

vk::Format texel_format(VulkanDevice::Binding binding) {
    using Binding = VulkanDevice::Binding;
    switch (binding) {
        case Binding::texels4: return vk::Format::eR32G32B32A32Sfloat;
        case Binding::half_texels1: return vk::Format::eR16Sfloat;
        case Binding::half_texels4: return vk::Format::eR16G16B16A16Sfloat;
        case Binding::int_texels1: return vk::Format::eR32Sint;
        case Binding::int_texels4: return vk::Format::eR32G32B32A32Sint;
        case Binding::int8_texels1: return vk::Format::eR8Sint;
        default: return vk::Format::eR32Sfloat;
    }
}

std::size_t texel_bytes(VulkanDevice::Binding binding) {
    using Binding = VulkanDevice::Binding;
    switch (binding) {
        case Binding::texels4:
        case Binding::int_texels4: return 16;
        case Binding::half_texels1: return 2;
        case Binding::half_texels4: return 8;
        case Binding::int8_texels1: return 1;
        default: return 4;
    }
}

}  // namespace

void VulkanDevice::check_texel_view(Binding binding, std::size_t offset, std::size_t bytes) const {
    if (binding == Binding::storage) return;
    if (bytes / texel_bytes(binding) > properties_.limits.maxTexelBufferElements)
        throw DeviceError(fmt::format("a read-only buffer of {} texels exceeds the device's {} texels per texel buffer",
                                      bytes / texel_bytes(binding), properties_.limits.maxTexelBufferElements));
    if (offset % properties_.limits.minTexelBufferOffsetAlignment || bytes % texel_bytes(binding))
        throw DeviceError(fmt::format("a texel buffer view at byte {} of {} bytes is not aligned for this device ({} bytes)",
                                      offset, bytes, properties_.limits.minTexelBufferOffsetAlignment));
}

VulkanDevice::Pipeline VulkanDevice::make_pipeline(const std::vector<std::uint32_t>& spirv,
                                                   const std::vector<Binding>& bindings,
                                                   std::uint32_t push_constant_bytes, bool full_subgroups) {
    std::vector<vk::DescriptorSetLayoutBinding> layout_bindings;
    for (std::uint32_t b = 0; b < bindings.size(); ++b)
        layout_bindings.push_back({.binding = b, .descriptorType = descriptor_type(bindings[b]),
                                   .descriptorCount = 1, .stageFlags = vk::ShaderStageFlagBits::eCompute});
    vk::raii::DescriptorSetLayout set_layout = device_.createDescriptorSetLayout(vk::DescriptorSetLayoutCreateInfo{
        .bindingCount = static_cast<std::uint32_t>(layout_bindings.size()), .pBindings = layout_bindings.data()});
    vk::PushConstantRange range{.stageFlags = vk::ShaderStageFlagBits::eCompute, .offset = 0,
                                .size = push_constant_bytes};
    vk::raii::PipelineLayout layout = device_.createPipelineLayout(vk::PipelineLayoutCreateInfo{
        .setLayoutCount = 1, .pSetLayouts = &*set_layout, .pushConstantRangeCount = 1, .pPushConstantRanges = &range});
    vk::raii::ShaderModule module = device_.createShaderModule(
        vk::ShaderModuleCreateInfo{.codeSize = spirv.size() * 4, .pCode = spirv.data()});
    vk::raii::Pipeline pipeline = device_.createComputePipeline(
        nullptr, vk::ComputePipelineCreateInfo{
                     .stage = {.flags = full_subgroups ? vk::PipelineShaderStageCreateFlagBits::eRequireFullSubgroups
                                                       : vk::PipelineShaderStageCreateFlags{},
                               .stage = vk::ShaderStageFlagBits::eCompute, .module = *module, .pName = "main"},
                     .layout = *layout});
    return {std::move(set_layout), std::move(layout), std::move(pipeline), bindings, push_constant_bytes};
}

std::vector<double> VulkanDevice::run(const std::vector<Dispatch>& dispatches) {
    const auto stamps_needed = static_cast<std::uint32_t>(dispatches.size() + 1);
    std::size_t descriptors = 0;
    for (const Dispatch& d : dispatches) descriptors += d.buffers.size();
    const std::array<vk::DescriptorPoolSize, 2> sizes{{
        {.type = vk::DescriptorType::eStorageBuffer, .descriptorCount = static_cast<std::uint32_t>(descriptors)},
        {.type = vk::DescriptorType::eUniformTexelBuffer, .descriptorCount = static_cast<std::uint32_t>(descriptors)}}};
    vk::raii::DescriptorPool descriptor_pool = device_.createDescriptorPool(vk::DescriptorPoolCreateInfo{
        .flags = vk::DescriptorPoolCreateFlagBits::eFreeDescriptorSet,
        .maxSets = static_cast<std::uint32_t>(dispatches.size()), .poolSizeCount = sizes.size(), .pPoolSizes = sizes.data()});
    vk::raii::QueryPool queries = device_.createQueryPool(
        vk::QueryPoolCreateInfo{.queryType = vk::QueryType::eTimestamp, .queryCount = stamps_needed});
    vk::raii::CommandBuffers commands(device_, vk::CommandBufferAllocateInfo{
                                                   .commandPool = *pool_, .level = vk::CommandBufferLevel::ePrimary,
                                                   .commandBufferCount = 1});
    vk::raii::CommandBuffer& cmd = commands[0];
    std::vector<vk::raii::DescriptorSet> sets;
    std::vector<vk::raii::BufferView> views;  // alive until the queue is done
    views.reserve(descriptors);
    cmd.begin(vk::CommandBufferBeginInfo{.flags = vk::CommandBufferUsageFlagBits::eOneTimeSubmit});
    cmd.resetQueryPool(*queries, 0, stamps_needed);
    cmd.writeTimestamp(vk::PipelineStageFlagBits::eTopOfPipe, *queries, 0);
    std::uint32_t stamp = 1;
    for (const Dispatch& d : dispatches) {
        vk::raii::DescriptorSets allocated(device_, vk::DescriptorSetAllocateInfo{
                                                        .descriptorPool = *descriptor_pool, .descriptorSetCount = 1,
                                                        .pSetLayouts = &*d.pipeline->set_layout});
        sets.push_back(std::move(allocated[0]));
        std::vector<vk::DescriptorBufferInfo> infos;
        std::vector<vk::BufferView> texel_views;
        infos.reserve(d.buffers.size());
        texel_views.reserve(d.buffers.size());
        std::vector<vk::WriteDescriptorSet> writes;
        for (std::uint32_t b = 0; b < d.buffers.size(); ++b) {
            const BufferView& view = d.buffers[b];
            const Binding binding = d.pipeline->bindings.at(b);
            vk::WriteDescriptorSet write{.dstSet = *sets.back(), .dstBinding = b, .descriptorCount = 1,
                                         .descriptorType = descriptor_type(binding)};
            if (binding == Binding::storage) {
                infos.push_back({.buffer = *view.buffer->handle(), .offset = view.offset, .range = view.bytes});
                write.pBufferInfo = &infos.back();
            } else {
                check_texel_view(binding, view.offset, view.bytes);
                views.push_back(device_.createBufferView(vk::BufferViewCreateInfo{
                    .buffer = *view.buffer->handle(), .format = texel_format(binding), .offset = view.offset,
                    .range = view.bytes}));
                texel_views.push_back(*views.back());
                write.pTexelBufferView = &texel_views.back();
            }
            writes.push_back(write);
        }
        device_.updateDescriptorSets(writes, nullptr);
        cmd.bindPipeline(vk::PipelineBindPoint::eCompute, *d.pipeline->pipeline);
        cmd.bindDescriptorSets(vk::PipelineBindPoint::eCompute, *d.pipeline->layout, 0, {*sets.back()}, nullptr);
        // Through the RAII dispatcher: the Vulkan loader is opened at run time, not linked.
        cmd.getDispatcher()->vkCmdPushConstants(*cmd, *d.pipeline->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                                d.pipeline->push_constant_bytes, d.push_constants);
        cmd.dispatch(d.groups[0], d.groups[1], d.groups[2]);
        vk::MemoryBarrier barrier{.srcAccessMask = vk::AccessFlagBits::eShaderWrite,
                                  .dstAccessMask = vk::AccessFlagBits::eShaderRead | vk::AccessFlagBits::eHostRead};
        cmd.pipelineBarrier(vk::PipelineStageFlagBits::eComputeShader,
                            vk::PipelineStageFlagBits::eComputeShader | vk::PipelineStageFlagBits::eHost, {}, barrier,
                            nullptr, nullptr);
        cmd.writeTimestamp(vk::PipelineStageFlagBits::eBottomOfPipe, *queries, stamp++);
    }
    cmd.end();
    vk::raii::Fence fence = device_.createFence({});
    queue_.submit(vk::SubmitInfo{.commandBufferCount = 1, .pCommandBuffers = &*cmd}, *fence);
    if (device_.waitForFences({*fence}, VK_TRUE, UINT64_MAX) != vk::Result::eSuccess)
        throw DeviceError("waiting for the Vulkan queue failed");
    auto [result, stamps] = queries.getResults<std::uint64_t>(0, stamps_needed, stamps_needed * sizeof(std::uint64_t),
                                                              sizeof(std::uint64_t),
                                                              vk::QueryResultFlagBits::e64 | vk::QueryResultFlagBits::eWait);
    if (result != vk::Result::eSuccess) throw DeviceError("timestamp queries failed");
    std::vector<double> ms;
    for (std::uint32_t i = 1; i < stamps_needed; ++i)
        ms.push_back(static_cast<double>(stamps[i] - stamps[i - 1]) * properties_.limits.timestampPeriod * 1e-6);
    return ms;
}

int VulkanDevice::validation_messages() const {
    std::lock_guard lock(messages_->guard);
    return messages_->count;
}

std::string VulkanDevice::last_validation_message() const {
    std::lock_guard lock(messages_->guard);
    return messages_->last;
}

}  // namespace wino
