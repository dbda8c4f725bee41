"""Trains a small model on scikit-learn's digits (shipped by python3-sklearn) on
the lazy device, every step compiled through MLIR. `--device cpu` runs eagerly.

    PYTHONPATH=bazel-bin/python /usr/bin/python3 examples/train_digits.py [--model cnn]
"""
import argparse

import torch
import torch._lazy
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits


def make_model(kind):
    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 2 * 2, 10))
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", choices=["lazy", "cpu"], default="lazy")
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    if args.device == "lazy":
        import ltc_mlir
        ltc_mlir.init()
    device = torch.device(args.device)

    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    if args.model == "cnn":
        x = x.reshape(-1, 1, 8, 8)
    n_train = (len(x) * 4 // 5) // args.batch_size * args.batch_size
    x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]

    torch.manual_seed(0)
    model = make_model(args.model).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(args.epochs):
        total = 0.0
        for i in range(0, n_train, args.batch_size):
            xb = x_train[i:i + args.batch_size].to(device)
            yb = y_train[i:i + args.batch_size].to(device)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            if args.device == "lazy":
                torch._lazy.mark_step()
            total += loss.item()
        with torch.no_grad():
            pred = model(x_test.to(device)).argmax(dim=1).cpu()
        acc = (pred == y_test).float().mean().item()
        print(f"epoch {epoch + 1}: loss {total / (n_train // args.batch_size):.4f}  "
              f"test accuracy {acc:.3f}")

    if args.device == "lazy":
        print(ltc_mlir.metrics_report())


if __name__ == "__main__":
    main()
