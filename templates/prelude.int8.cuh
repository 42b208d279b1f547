// CUDA prelude of precision int8's product (the GEMM): the working type is a
// 32-bit word of 4 channels' int8 codes (REAL4: 4 words), multiplied by
// wino_dot4 (dp4a) into int32 sums.
#define REAL int
#define REAL4 int4
#define MAKE_REAL4(a, b, c, d) make_int4(a, b, c, d)
#define FETCH_REAL(buffer, i) __ldg(&(buffer)[i])
#define FETCH_REAL4(buffer, i) __ldg(reinterpret_cast<const int4*>(buffer) + (i))
