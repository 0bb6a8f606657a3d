// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CONFIG_HPP
#define SMTPERR_CONFIG_HPP

/// @file
/// Build configuration: the export macro and the library version.

#if defined(SMTPERR_SHARED)
#if defined(_WIN32)
#if defined(SMTPERR_SOURCE)
#define SMTPERR_DECL __declspec(dllexport)
#else
#define SMTPERR_DECL __declspec(dllimport)
#endif
#else
#define SMTPERR_DECL __attribute__((visibility("default")))
#endif
#else
#define SMTPERR_DECL
#endif

/// The library's version (semantic versioning), as in CMake's project() and find_package().
#define SMTPERR_VERSION_MAJOR 0
#define SMTPERR_VERSION_MINOR 1  ///< See SMTPERR_VERSION_MAJOR.
#define SMTPERR_VERSION_PATCH 0  ///< See SMTPERR_VERSION_MAJOR.

#endif  // SMTPERR_CONFIG_HPP
