# Fails when the committed docs/reference.md differs from what the generator prints.
#
#   cmake -DGENERATOR=path/to/smtperr_gen_reference -DDOC=docs/reference.md -P check_reference.cmake

cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND ${GENERATOR} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${GENERATOR} exited with ${rc}")
endif()
# A generator that cannot write must say so, or a truncated file would pass as written.
execute_process(COMMAND sh -c "\"$0\" > /dev/full 2>/dev/null" ${GENERATOR} RESULT_VARIABLE full_rc)
if(full_rc EQUAL 0)
  message(FATAL_ERROR "${GENERATOR} exited with 0 although its output could not be written")
endif()
file(READ ${DOC} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${DOC} is out of date; regenerate it with\n"
                      "  ${GENERATOR} > ${DOC}")
endif()
