# Cross-compile weft for 64-bit Windows with MinGW-w64 from Debian (package
# g++-mingw-w64-x86-64-posix: the "posix" thread model, which std::thread needs).
#
#   cmake -S . -B build/win -G Ninja -DCMAKE_TOOLCHAIN_FILE=ci/toolchains/mingw-w64.cmake
#
# ci/windows does the rest: GoogleTest cross-built from /usr/src/googletest (WEFT_WIN_PREFIX),
# Boost.Asio's headers staged apart from /usr/include, and the tests run under Wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(WEFT_MINGW_TRIPLE x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${WEFT_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${WEFT_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${WEFT_MINGW_TRIPLE}-windres)

# Look for target libraries and headers only in the MinGW sysroot (and the prefix the
# cross-built dependencies were installed into), never in the host's /usr/include: glibc's
# headers would shadow MinGW's.
set(CMAKE_FIND_ROOT_PATH /usr/${WEFT_MINGW_TRIPLE})
if(DEFINED ENV{WEFT_WIN_PREFIX})
  list(APPEND CMAKE_FIND_ROOT_PATH $ENV{WEFT_WIN_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Self-contained executables: libgcc, libstdc++ and winpthread linked in, so Wine (or a
# Windows runner) needs no MinGW DLLs next to them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# ctest and gtest_discover_tests run the test binaries through Wine.
find_program(WEFT_WINE NAMES wine64 wine)
if(WEFT_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${WEFT_WINE})
endif()

# pkg-config must not hand host (Linux) libraries to the cross build.
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_LIBDIR} "/usr/${WEFT_MINGW_TRIPLE}/lib/pkgconfig")

# List the GoogleTest cases when ctest runs, not right after linking: listing runs the .exe
# (through Wine), which the build itself should not need.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
