// Threads that compile kernels ahead of their load (Executor::compile_ahead),
// in the order given, while the tuner's own thread loads, checks and times
// the candidate before them. Loading and launching stay on the tuner's
// thread; a kernel the pool is compiling when a load needs it is waited for,
// not compiled twice (the executors' OnceCache).
#pragma once

#include "runtime/executor.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace wino {

class CompilePool {
public:
    // No threads for 0: add() drops its kernels and every compile is the load's.
    CompilePool(Executor& executor, int threads);
    // Drops what is queued and waits for what is being compiled.
    ~CompilePool();
    CompilePool(const CompilePool&) = delete;
    CompilePool& operator=(const CompilePool&) = delete;

    int threads() const { return static_cast<int>(threads_.size()); }
    // Queues each kernel the pool has not been given before (by its source):
    // candidates share kernels, and a thread that took a duplicate would
    // only wait for the one compiling it.
    void add(const std::vector<EmittedKernel>& kernels);
    // Kernels queued, and those being compiled.
    std::size_t pending() const;
    // Whether its threads could use more work: fewer than two kernels a
    // thread queued or under way. The tuner plans candidates ahead until
    // not (or until plan_limit() are planned), so that candidates whose
    // kernels are all compiled already do not starve the threads.
    bool wants_more() const { return pending() < 2 * threads_.size(); }
    std::size_t plan_limit() const { return 8 * threads_.size(); }

    // While one lives, no thread compiles: it waits for the compiles under way
    // to end. For timing on a device whose cores the compiler shares (lavapipe).
    class Pause {
    public:
        explicit Pause(CompilePool& pool);
        ~Pause();
        Pause(const Pause&) = delete;
        Pause& operator=(const Pause&) = delete;

    private:
        CompilePool& pool_;
    };

private:
    void work();
    Executor& executor_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<EmittedKernel> queue_;
    std::unordered_set<std::size_t> given_;  // hashes of the sources added
    int busy_ = 0, pauses_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace wino
