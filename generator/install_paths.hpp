// Where wino-gen finds what it reads at run time, found from where its own
// library lies, so an installed tree (and a build tree, which has the same
// layout) works wherever it is moved: lib/ holds the libraries and the CUDA
// module, share/wino-gen/ the recipe database and the point tables.
#pragma once

#include <filesystem>

namespace wino {

// The folder holding libwinogen.so (lib/ of an install, of a build tree).
std::filesystem::path library_dir();
// $WINO_GEN_DATA_DIR, else library_dir()/../share/wino-gen.
std::filesystem::path data_dir();

}  // namespace wino
