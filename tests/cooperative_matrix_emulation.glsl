// prelude.coop.glsl's primitives without cooperative matrices, for a device
// that has none (lavapipe): test_conv2d puts this text in place of that
// prelude, so that the rest of GLSL's tensor-core GEMM runs here. A thread
// holds, of each tile's sums, the quad its lane stores (prelude.glsl's
// TC_STORE: row l / 2, columns 4 (l % 2) on), and a fragment is where it lies
// in the staged block, read as the product needs it: U's column-major
// (element (m, k) at offset + k·stride + m), V's row-major ((k, n) at offset
// + k·stride + n), as coopMatLoadNV reads them. A fragment is loaded and
// multiplied between the same two barriers, so reading it late reads the
// same values (a macro: the staged arrays are the kernel's). A block product sums its 8 channels by FMAs from zero, in
// order, as the GEMM without tensor cores does.
struct tc_fragment { int offset, stride; };
#define TC_SUMS(acc) vec4 acc = vec4(0.0)
#define TC_LOAD_A(a, array, offset, stride) tc_fragment a = tc_fragment(offset, stride)
#define TC_LOAD_B(b, array, offset, stride) tc_fragment b = tc_fragment(offset, stride)
#define TC_PRODUCT_ADD(acc, a, b) {                                                                  \
    int lane_ = SUBGROUP_THREAD % 32, row_ = lane_ / 2, column_ = lane_ % 2 * 4;                      \
    for (int n_ = 0; n_ < 4; ++n_) {                                                                  \
        float d_ = 0.0;                                                                               \
        for (int k_ = 0; k_ < 8; ++k_)                                                                \
            d_ = fma(float(staged_u[(a).offset + k_ * (a).stride + row_]),                            \
                     float(staged_v[(b).offset + k_ * (b).stride + column_ + n_]), d_);               \
        acc[n_] += d_;                                                                                \
    } }
vec4 tc_tile;
#define TC_STAGE_TILE(acc) tc_tile = acc
#define TC_TILE(i) tc_tile[(i) % 4]
#define TC_TILE_DONE()
