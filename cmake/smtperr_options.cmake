# Per-target settings kept in one place: warnings and sanitizers.

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
