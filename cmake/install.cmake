# install.cmake -- `cmake --install build --prefix DIR`: the ladle binary,
# libladle (static and shared), ladle.h, the man page, ladle.pc and the
# bash and zsh completions, in the GNUInstallDirs places.
include(GNUInstallDirs)

install(TARGETS ladle RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET ladle-mpi) # built where MPI was found
  install(TARGETS ladle-mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS libladle ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(LADLE_SHARED)
  install(TARGETS libladle_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(FILES include/ladle/ladle.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ladle)
install(FILES man/ladle.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES completions/ladle.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME ladle)
install(FILES completions/_ladle DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)

# ladle.pc names its folders relative to itself (${pcfiledir}), so the
# --prefix given at install time holds; absolute install dirs stay absolute.
set(ladle_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(LADLE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH ladle_pc_up "/root/${ladle_pc_dir}" "/root")
  string(REGEX REPLACE "/$" "" ladle_pc_up "${ladle_pc_up}")
  set(LADLE_PC_PREFIX "\${pcfiledir}/${ladle_pc_up}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(LADLE_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(LADLE_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file(cmake/ladle.pc.in ${PROJECT_BINARY_DIR}/ladle.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ladle.pc DESTINATION ${ladle_pc_dir})
