# weft_add_example(TARGET OUTPUT_NAME SOURCES...): an example program, built by default.
# Each example folder includes this file itself because examples/ adds its folders in
# alphabetical order, so common/ is not guaranteed to come first. Targets are prefixed
# (weft_example_*) so they never clash; the binary keeps its short name in its own folder.
include_guard(GLOBAL)

function(weft_add_example target output)
  add_executable(${target} ${ARGN})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output})
  target_link_libraries(${target} PRIVATE weft_example_support weft::protocols weft_warnings)
endfunction()
