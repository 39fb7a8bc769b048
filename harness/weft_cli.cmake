# The `weft` executable: needs the core, every built backend (registry) and the protocols.
add_library(weft_check STATIC
  src/check/check_results.cpp
  src/check/check_runner.cpp
  src/check/probe.cpp
  src/check/scenario_table.cpp
  src/check/scenario_util.cpp
  src/check/scenarios_basic.cpp
  src/check/scenarios_limits.cpp
  src/check/scenarios_load.cpp
)
target_include_directories(weft_check PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft_check PUBLIC weft_harness_common weft::backends PRIVATE weft_warnings)

add_library(weft_bench_lib STATIC
  src/bench/bench_stub.cpp
)
target_include_directories(weft_bench_lib PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft_bench_lib PUBLIC weft_harness_common weft::backends PRIVATE weft_warnings)

add_executable(weft
  src/main.cpp
  src/cli/connect_command.cpp
  src/cli/help_reactors.cpp
  src/cli/reactor_choice.cpp
  src/cli/serve_command.cpp
)
target_include_directories(weft PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft PRIVATE weft_check weft_bench_lib weft::protocols weft::backends
                                   weft_warnings)
# `weft bench` finds the load generator and the reference servers next to these paths.
add_dependencies(weft weft-loadgen)
target_compile_definitions(weft_bench_lib PRIVATE
  WEFT_LOADGEN_PATH="$<TARGET_FILE:weft-loadgen>"
  WEFT_REFERENCE_DIR="${CMAKE_BINARY_DIR}/bench/reference")
