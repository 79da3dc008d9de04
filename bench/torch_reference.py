"""PyTorch (CPU, all cores; or a CUDA GPU with --device cuda) timings of bench/networks.ts's networks, layer for layer.

Prints {"torch": version, "threads": n, "msPerStep": {network: median ms}} as JSON; run by
bench/train-step.ts. Debian's torch defaults to one thread, so the thread count is set explicitly.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def reference_cnn():
    net = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    return net, torch.randn(64, 3, 32, 32)


def relu_dw_pw(c, k, dilation):
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(c, c, k, padding=dilation * (k // 2), dilation=dilation, groups=c, bias=False),
        nn.Conv2d(c, c, 1, bias=False))


class MixedOp(nn.Module):
    """DARTS mixed op: softmax(alpha)-weighted sum of its seven candidates, then a linear head."""

    def __init__(self, c=16):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(7))
        self.candidates = nn.ModuleList([
            nn.Sequential(relu_dw_pw(c, 3, 1), relu_dw_pw(c, 3, 1)),
            nn.Sequential(relu_dw_pw(c, 5, 1), relu_dw_pw(c, 5, 1)),
            relu_dw_pw(c, 3, 2),
            relu_dw_pw(c, 5, 2),
            nn.MaxPool2d(3, 1, 1),
            nn.AvgPool2d(3, 1, 1, count_include_pad=False),
            nn.Identity(),
        ])
        self.head = nn.Linear(c, 10)

    def forward(self, x):
        weights = F.softmax(self.alpha, dim=0)
        mixed = sum(w * op(x) for w, op in zip(weights, self.candidates))
        return self.head(mixed.mean(dim=(2, 3)))


def ms_per_step(net, x, steps, device, warmup=3):
    net, x = net.to(device), x.to(device)
    labels = torch.arange(x.shape[0], device=device) % 10
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize()  # kernels are queued; the step ends when they have run
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU probe (bench/gpu-probe.sh)")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    cnn, cnn_x = reference_cnn()
    results = {
        "reference-cnn": ms_per_step(cnn, cnn_x, args.steps, device),
        "darts-mixed-op": ms_per_step(MixedOp(), torch.randn(32, 16, 16, 16), args.steps, device),
    }
    print(json.dumps({"torch": torch.__version__, "device": str(device), "threads": torch.get_num_threads(), "msPerStep": results}))


if __name__ == "__main__":
    main()
