// The embedded texts of templates/ (preludes and kernels/*.tmpl).
#pragma once

namespace wino {
const char* prelude_glsl();
const char* prelude_cuda();
const char* template_filter_transform();
const char* template_input_transform();
const char* template_input_tile();  // one tile of input_transform's group of 4
const char* template_gemm();
const char* template_output_transform();
const char* template_output_tile();  // one tile of output_transform's group of 4
const char* template_fused();
const char* template_direct();
}  // namespace wino
