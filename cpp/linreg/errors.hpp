// linreg/errors.hpp -- the exceptions the core throws. The bindings translate them once:
// std::invalid_argument -> ValueError, NotPositiveDefinite -> numpy.linalg.LinAlgError.
#pragma once

#include <stdexcept>
#include <string>

namespace linreg {

// A Cholesky factorisation met a non-positive (or numerically zero) pivot and the caller asked
// for no fallback (solver="cholesky").
struct NotPositiveDefinite : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

}  // namespace linreg
