# cmake -DBUILD_DIR=… -DPREFIX=… [-DCONFIG=…] [-DCONSUMER_DIR=…] -P install_tree.cmake
# Installs a build tree into a fresh prefix (the fixture of the find_package test), and
# removes the consumer's old build directory so no cached smtperr_DIR outlives the install.
file(REMOVE_RECURSE "${PREFIX}")
if(CONSUMER_DIR)
  file(REMOVE_RECURSE "${CONSUMER_DIR}")
endif()
set(_config)
if(CONFIG)
  set(_config --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${_config}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed: ${rc}")
endif()
file(GLOB_RECURSE _cfg "${PREFIX}/*/smtperrConfig.cmake")
if(NOT _cfg)
  message(FATAL_ERROR "no smtperrConfig.cmake under ${PREFIX}")
endif()
message(STATUS "installed ${BUILD_DIR} into ${PREFIX}")
