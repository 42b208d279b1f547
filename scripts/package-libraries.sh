# Which shared libraries a wino-gen package bundles, for scripts/package and
# scripts/check-package (sourced by both): every library its binaries and
# modules need, except those a GPU machine brings: glibc, libstdc++ and
# libgcc, the NVIDIA driver, the CUDA runtime libraries, cuDNN and the Vulkan
# loader (a copy of those would not match the machine's driver).

# system_library SONAME: true when the machine brings it.
system_library() {
  case "$1" in
    linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libresolv.so.* | \
      libutil.so.* | libstdc++.so.* | libgcc_s.so.* | \
      libcuda.so.* | libnvidia-*.so.* | libcudart.so.* | libnvrtc.so.* | libnvrtc-builtins.so.* | libcublas.so.* | \
      libcublasLt.so.* | libcudnn*.so.* | libvulkan.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

# package_elf_files DIR: the package's executables and shared libraries.
package_elf_files() {
  find "$1/bin" "$1/lib" -type f 2>/dev/null | while IFS= read -r f; do
    [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
  done
}
