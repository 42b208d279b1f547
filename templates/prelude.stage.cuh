// The staged GEMM's copies into shared memory (gemm_staging), after the
// working type's prelude. STAGE_LOAD starts one quad's copy, STAGE_STORE
// finishes it, STAGE_WAIT waits for every copy this thread started. From sm_80
// on, a quad of an fp32 buffer into fp32 shared memory goes by cp.async, from
// global to shared memory without a register (16 bytes, cached in L2 only:
// .cg); every other copy, and every copy before sm_80, goes through a register.
struct wino_staged {};  // a copy on its way by cp.async
#if __CUDA_ARCH__ >= 800
#ifndef WINO_EMULATED_WARP  // the tests' CPU emulation defers each copy to the wait instead
__device__ inline wino_staged wino_stage_load(float4& slot, const float* buffer, int i) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(static_cast<unsigned>(__cvta_generic_to_shared(&slot))),
                 "l"(reinterpret_cast<const float4*>(buffer) + i));
    return {};
}
__device__ inline void wino_cp_async_wait() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }
#endif
__device__ inline void wino_stage_store(float4&, wino_staged) {}
#endif
template <class Quad, class Element>
__device__ inline Quad wino_stage_load(Quad&, const Element* buffer, int i) {
    return FETCH_REAL4(buffer, i);
}
template <class Quad>
__device__ inline void wino_stage_store(Quad& slot, Quad value) {
    slot = value;
}
__device__ inline void wino_stage_wait() {
#if __CUDA_ARCH__ >= 800
    wino_cp_async_wait();
#endif
}
// A staged block is quads of the working type; a copy names the array and its
// slot there.
#define STAGED_QUADS(name, quads) SHARED REAL4 name[quads]
#define STAGE_LOAD(reg, array, slot, buffer, i) auto reg = wino_stage_load(array[slot], buffer, i)
#define STAGE_STORE(array, slot, reg) wino_stage_store(array[slot], reg)
#define STAGE_WAIT() wino_stage_wait()
