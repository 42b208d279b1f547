// The compile-ahead threads.
#include "tuner/compile_pool.hpp"

namespace wino {

CompilePool::CompilePool(Executor& executor, int threads) : executor_(executor) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

CompilePool::~CompilePool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    changed_.notify_all();
    for (std::thread& t : threads_) t.join();
}

void CompilePool::add(const std::vector<EmittedKernel>& kernels) {
    if (threads_.empty()) return;
    {
        std::lock_guard lock(mutex_);
        for (const EmittedKernel& k : kernels)
            if (given_.insert(std::hash<std::string>()(k.source)).second) queue_.push_back(k);
    }
    changed_.notify_all();
}

std::size_t CompilePool::pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + static_cast<std::size_t>(busy_);
}

void CompilePool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stopping_ || (!pauses_ && !queue_.empty()); });
        if (stopping_) return;
        const EmittedKernel kernel = std::move(queue_.front());
        queue_.pop_front();
        ++busy_;
        lock.unlock();
        executor_.compile_ahead(kernel);
        lock.lock();
        --busy_;
        changed_.notify_all();
    }
}

CompilePool::Pause::Pause(CompilePool& pool) : pool_(pool) {
    std::unique_lock lock(pool_.mutex_);
    ++pool_.pauses_;
    pool_.changed_.wait(lock, [&] { return pool_.busy_ == 0; });
}

CompilePool::Pause::~Pause() {
    {
        std::lock_guard lock(pool_.mutex_);
        --pool_.pauses_;
    }
    pool_.changed_.notify_all();
}

}  // namespace wino
