# `cmake --install`: headers, libraries, the `weft` command line, a CMake package
# (find_package(weft) -> weft::weft, the umbrella of weft::core, weft::protocols,
# weft::backends and every weft::backend_<name>)
# and a pkg-config file. Included last from the top-level CMakeLists.txt, so every target and
# the WEFT_BACKENDS list are complete; install(TARGETS) accepts targets from other
# directories since CMake 3.13.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(WEFT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/weft)
get_property(WEFT_INSTALLED_BACKENDS GLOBAL PROPERTY WEFT_BACKENDS)

# Exported names match the in-tree aliases, so a project links the same way whether weft is
# a subdirectory or installed.
set_target_properties(weft_core PROPERTIES EXPORT_NAME core)
set_target_properties(weft_protocols PROPERTIES EXPORT_NAME protocols)
set_target_properties(weft_backends PROPERTIES EXPORT_NAME backends)
set_target_properties(weft_umbrella PROPERTIES EXPORT_NAME weft)
# Static libraries list their PRIVATE links as $<LINK_ONLY:...>, so the warning flags target
# must travel in the export set too; LINK_ONLY means consumers never get its flags.
set_target_properties(weft_warnings PROPERTIES EXPORT_NAME detail_warnings)

set(weft_targets weft_umbrella weft_core weft_protocols weft_backends weft_warnings)
foreach(name ${WEFT_INSTALLED_BACKENDS})
  set(target weft_backend_${name})
  set_target_properties(${target} PROPERTIES EXPORT_NAME backend_${name})
  # In the tree a backend's headers are found as "qt/qt_reactor.hpp" from backends/; keep
  # that spelling for installed consumers (the Qt GUI driving mode needs weft::QtReactor).
  target_include_directories(${target} PUBLIC
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/weft/backends>)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/backends/${name}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/weft/backends/${name}
    FILES_MATCHING PATTERN "*.hpp")
  list(APPEND weft_targets ${target})
endforeach()

install(TARGETS ${weft_targets} EXPORT weftTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/ ${PROJECT_SOURCE_DIR}/protocols/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
if(TARGET weft)
  install(TARGETS weft RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET weft AND TARGET weft-loadgen)
  # `weft bench`'s helpers: the load generator and the reference servers. The installed weft
  # looks for them in ../libexec/weft beside itself (harness/src/bench/bench_runner.cpp).
  set(weft_bench_helpers weft-loadgen)
  foreach(ref raw-epoll libevent asio qt libuv)
    if(TARGET weft-ref-${ref})
      list(APPEND weft_bench_helpers weft-ref-${ref})
    endif()
  endforeach()
  install(TARGETS ${weft_bench_helpers} RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/weft)
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/bench/reference/twisted_server.py
    DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/weft RENAME weft-ref-twisted.py)
endif()

install(EXPORT weftTargets NAMESPACE weft:: DESTINATION ${WEFT_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/weftConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/weftConfig.cmake
  INSTALL_DESTINATION ${WEFT_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/weftConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/weftConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/weftConfigVersion.cmake
  DESTINATION ${WEFT_INSTALL_CMAKEDIR})

# pkg-config: libraries in link order (registry, backends, protocols, core) and the
# dependencies of the backends that were built. weft's libraries are static by default, so
# their dependencies go in Requires/Libs; a shared build keeps them private.
set(WEFT_PC_LIBS "-lweft_backends")
set(WEFT_PC_REQUIRES "")
set(WEFT_PC_EXTRA_LIBS "")
foreach(name ${WEFT_INSTALLED_BACKENDS})
  string(APPEND WEFT_PC_LIBS " -lweft_backend_${name}")
  if(name STREQUAL "libevent")
    list(APPEND WEFT_PC_REQUIRES libevent_core)
  elseif(name STREQUAL "qt")
    list(APPEND WEFT_PC_REQUIRES Qt6Core)
  elseif(name STREQUAL "kqueue" AND WEFT_LIBKQUEUE_FOUND)
    # Linux: libkqueue is a developer's local build, not a system package its .pc would be
    # found with, so it is linked by path (with its rpath). BSD/macOS: kqueue is in libc.
    list(JOIN WEFT_LIBKQUEUE_LDFLAGS " " kqueue_ldflags)
    set(WEFT_PC_EXTRA_LIBS " ${kqueue_ldflags}")
    foreach(dir ${WEFT_LIBKQUEUE_LIBRARY_DIRS})
      string(APPEND WEFT_PC_EXTRA_LIBS " -Wl,-rpath,${dir}")
    endforeach()
  endif()
endforeach()
string(APPEND WEFT_PC_LIBS " -lweft_protocols -lweft_core${WEFT_PC_EXTRA_LIBS}")
list(JOIN WEFT_PC_REQUIRES ", " WEFT_PC_REQUIRES)
if(BUILD_SHARED_LIBS)
  set(WEFT_PC_REQUIRES_FIELD "Requires.private")
else()
  set(WEFT_PC_REQUIRES_FIELD "Requires")
endif()
# Relocatable: `cmake --install --prefix P` may differ from CMAKE_INSTALL_PREFIX, so the
# prefix is found from the .pc file's own location.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(WEFT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH up /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
  string(REGEX REPLACE "/$" "" up "${up}")
  set(WEFT_PC_PREFIX "\${pcfiledir}/${up}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/weft.pc.in ${CMAKE_CURRENT_BINARY_DIR}/weft.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/weft.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
