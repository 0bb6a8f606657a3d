# Per-target settings kept in one place: library setup, warnings and sanitizers.

# What every compiled smtperr library shares: C++17, version, include paths, the export
# macro's "building it" switch and the warnings.
function(smtperr_setup_library target export_name)
  target_compile_features(${target} PUBLIC cxx_std_17)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
    EXPORT_NAME ${export_name})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${target} PRIVATE SMTPERR_SOURCE)
  smtperr_enable_warnings(${target})
endfunction()

function(smtperr_enable_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(SMTPERR_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
      -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual -Wundef
      -Wimplicit-fallthrough -Wzero-as-null-pointer-constant)
    if(SMTPERR_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

# Sanitizers apply to everything built in this tree, so the library and its tests agree.
macro(smtperr_apply_sanitizers)
  if(SMTPERR_SANITIZE)
    add_compile_options(-fsanitize=${SMTPERR_SANITIZE} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${SMTPERR_SANITIZE})
  endif()
endmacro()
