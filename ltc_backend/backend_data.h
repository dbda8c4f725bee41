// Tensor data that lives on the runtime's device.
#pragma once

#include "runtime/device.h"

#include <torch/csrc/lazy/backend/backend_data.h>

#include <memory>

namespace ltc_mlir {

class MlirBackendData : public torch::lazy::BackendData {
 public:
  MlirBackendData(torch::lazy::BackendDevice device, torch::lazy::Shape shape,
                  std::shared_ptr<runtime::DeviceBuffer> buffer = nullptr)
      : BackendData(std::move(device), std::move(shape)), buffer_(std::move(buffer)) {}

  Handle GetHandle() override {
    return reinterpret_cast<Handle>(this);
  }
  void Assign(const torch::lazy::BackendData& data) override {
    buffer_ = static_cast<const MlirBackendData&>(data).buffer_;
  }
  bool HasValue() const override {
    return buffer_ != nullptr;
  }

  const std::shared_ptr<runtime::DeviceBuffer>& buffer() const { return buffer_; }

 private:
  std::shared_ptr<runtime::DeviceBuffer> buffer_;
};

} // namespace ltc_mlir
