// A cache that computes each key's value once, however many threads ask for
// it at the same time: the first computes it outside the lock while the
// others wait for its result; an exception is kept like a value and thrown
// to every caller. What the compilers (glslang, NVRTC) and the Vulkan
// pipelines share between the tuner's thread that loads kernels and the
// threads that compile them ahead.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <utility>

namespace wino {

template <class Key, class Value>
class OnceCache {
public:
    template <class Make>
    Value get(const Key& key, Make&& make) {
        std::unique_lock lock(mutex_);
        if (const auto hit = entries_.find(key); hit != entries_.end()) {
            const std::shared_future<Value> ready = hit->second;
            lock.unlock();
            return ready.get();
        }
        std::promise<Value> promise;
        const std::shared_future<Value> result = promise.get_future().share();
        entries_.emplace(key, result);
        lock.unlock();
        try {
            promise.set_value(make());
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
        return result.get();
    }

    // Drops the computed entries whose value `unused` says no one holds.
    template <class Unused>
    void drop_if(Unused&& unused) {
        std::lock_guard lock(mutex_);
        std::erase_if(entries_, [&](const auto& entry) {
            const std::shared_future<Value>& f = entry.second;
            if (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
            try {
                return unused(f.get());
            } catch (...) {
                return true;  // a failure is cheap to find again
            }
        });
    }

    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    mutable std::mutex mutex_;
    std::map<Key, std::shared_future<Value>> entries_;
};

}  // namespace wino
