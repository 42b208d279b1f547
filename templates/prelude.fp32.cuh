// CUDA prelude of kernels that compute in fp32: the working type is float.
#define REAL float
#define REAL4 float4
#define MAKE_REAL4(a, b, c, d) make_float4(a, b, c, d)
#define FETCH_REAL(buffer, i) FETCH(buffer, i)
#define FETCH_REAL4(buffer, i) FETCH4(buffer, i)
