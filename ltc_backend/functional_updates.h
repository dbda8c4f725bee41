// Works around PyTorch 1.13's functionalization keeping every value an
// in-place op ever gave a tensor alive (see functional_updates.cpp).
#pragma once

#include <c10/util/Exception.h>

#include <string>

namespace ltc_mlir {

// Wraps the Functionalize kernel of every op that mutates a tensor argument
// so that the storage's queued updates are applied right after the op.
// Idempotent; returns the number of ops wrapped.
int RegisterFunctionalUpdateFlush();

// Swallows the dispatcher's "overriding a previously registered kernel"
// warnings while our registrations replace or wrap PyTorch's kernels.
class SilentWarnings : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation&, const std::string&,
               const bool) override {}
};

} // namespace ltc_mlir
