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

// The core meets every entry of X in its first pass anyway: a NaN or infinity there makes the sum
// of squares it forms non-finite, which is checked once at the end instead of scanning X twice.
// (A finite value so large that its square overflows is refused the same way.)
constexpr const char* kNonFiniteX = "X contains NaN or infinity (or values whose square overflows)";

}  // namespace linreg
