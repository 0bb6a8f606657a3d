// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_RESULT_HPP
#define SMTPERR_RESULT_HPP

#include <boost/outcome/std_result.hpp>

namespace smtperr {

/// Synchronous results: a value or a `std::error_code` (Boost.Outcome `std_result`).
template <class T>
using result = BOOST_OUTCOME_V2_NAMESPACE::std_result<T>;

}  // namespace smtperr

#endif  // SMTPERR_RESULT_HPP
