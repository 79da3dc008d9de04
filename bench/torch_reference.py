"""PyTorch (CPU, all cores; or a CUDA GPU with --device cuda) timings of bench/workloads.ts's workloads, network for network.

Reads the workloads as JSON (`--spec FILE`: [{"name", "steps", "torch": {"kind", ...}}]; without it,
the two raw-op networks for `--steps` steps, as bench/gpu-probe.sh runs it) and
prints {"torch": version, "threads": n, "msPerStep": {name: median ms}, "params": {name: count},
"peakGflops": a large convolution's GFLOP/s} as JSON; run by bench/train-step.ts, which checks the parameter
counts against nasbook's. Debian's torch defaults to one thread, so the thread count is set
explicitly. The networks mirror lib/: DARTS' search network (lib/spaces/darts, quark0/darts'
model_search), NAS-Bench-201's (lib/spaces/nb201), a NAS-RL child (lib/spaces/nasrl) and the
LSTM controller (lib/strategies/controller); convolutions have no bias, as there.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = 10
# Set by main from --device.
DEVICE = torch.device("cpu")


def reference_cnn():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def relu_dw_pw(c, k, dilation, stride=1, bn=False):
    layers = [
        nn.ReLU(),
        nn.Conv2d(c, c, k, stride, padding=dilation * (k // 2), dilation=dilation, groups=c, bias=False),
        nn.Conv2d(c, c, 1, bias=False)]
    return nn.Sequential(*layers, nn.BatchNorm2d(c, affine=False)) if bn else nn.Sequential(*layers)


class MixedOpNetwork(nn.Module):
    """bench/networks.ts's DARTS mixed op: softmax(alpha)-weighted sum of seven candidates, then a linear head."""

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


# --- DARTS search network (lib/spaces/darts) -------------------------------------------------

def relu_conv_bn(c_in, c_out, k, stride, affine):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, k, stride, padding=k // 2, bias=False), nn.BatchNorm2d(c_out, affine=affine))


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out, affine):
        super().__init__()
        self.left = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.right = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x):
        r = F.relu(x)
        return self.bn(torch.cat([self.left(r), self.right(F.pad(r[:, :, 1:, 1:], (0, 1, 0, 1)))], dim=1))


def sep_conv(c, k, stride):
    return nn.Sequential(relu_dw_pw(c, k, 1, stride, bn=True), relu_dw_pw(c, k, 1, 1, bn=True))


def darts_ops(c, stride):
    """DARTS_OPS without `none` (nasbook does not run it: it adds w * 0)."""
    return nn.ModuleList([
        nn.Sequential(nn.MaxPool2d(3, stride, 1), nn.BatchNorm2d(c, affine=False)),
        nn.Sequential(nn.AvgPool2d(3, stride, 1, count_include_pad=False), nn.BatchNorm2d(c, affine=False)),
        nn.Identity() if stride == 1 else FactorizedReduce(c, c, False),
        sep_conv(c, 3, stride), sep_conv(c, 5, stride),
        relu_dw_pw(c, 3, 2, stride, bn=True), relu_dw_pw(c, 5, 2, stride, bn=True),
    ])


class SearchCell(nn.Module):
    def __init__(self, reduction, reduction_prev, c_pp, c_p, c):
        super().__init__()
        self.reduction = reduction
        self.pre0 = FactorizedReduce(c_pp, c, False) if reduction_prev else relu_conv_bn(c_pp, c, 1, 1, False)
        self.pre1 = relu_conv_bn(c_p, c, 1, 1, False)
        self.edges = nn.ModuleList(
            darts_ops(c, 2 if reduction and j < 2 else 1) for i in range(4) for j in range(i + 2))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        e = 0
        for i in range(4):
            total = 0
            for h in states:
                # weights[e, 0] is `none`'s.
                total = total + sum(w * op(h) for w, op in zip(weights[e, 1:], self.edges[e]))
                e += 1
            states.append(total)
        return torch.cat(states[2:], dim=1)


class DartsSupernet(nn.Module):
    def __init__(self, layers, channels, in_channels, stem_stride=1):
        super().__init__()
        c_stem = 3 * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c_stem, 3, stem_stride, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_pp, c_p, c = c_stem, c_stem, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            self.cells.append(SearchCell(reduction, reduction_prev, c_pp, c_p, c))
            c_pp, c_p, reduction_prev = c_p, 4 * c, reduction
        self.head = nn.Linear(c_p, CLASSES)
        self.alpha_normal = nn.Parameter(1e-3 * torch.randn(14, 8))
        self.alpha_reduce = nn.Parameter(1e-3 * torch.randn(14, 8))

    def alphas(self):
        return [self.alpha_normal, self.alpha_reduce]

    def weights(self):
        return [p for n, p in self.named_parameters() if not n.startswith("alpha")]

    def forward(self, x):
        normal, reduce = F.softmax(self.alpha_normal, dim=-1), F.softmax(self.alpha_reduce, dim=-1)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, reduce if cell.reduction else normal)
        return self.head(s1.mean(dim=(2, 3)))


def darts_step(spec):
    """First-order DARTS: Adam on alpha from a valid batch (L2 added to its gradient), then momentum SGD (clipped) on the weights."""
    batch, (h, w, c) = spec["batch"], spec["input"]
    net = DartsSupernet(spec["layers"], spec["channels"], c, spec.get("stemStride", 1)).to(DEVICE)
    x_train, x_valid = torch.randn(batch, c, h, w, device=DEVICE), torch.randn(batch, c, h, w, device=DEVICE)
    labels = torch.arange(batch, device=DEVICE) % CLASSES
    sgd = torch.optim.SGD(net.weights(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    adam = torch.optim.Adam(net.alphas(), lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def step():
        grads = torch.autograd.grad(F.cross_entropy(net(x_valid), labels), net.alphas())
        for a, g in zip(net.alphas(), grads):
            a.grad = g
        adam.step()
        sgd.zero_grad()
        F.cross_entropy(net(x_train), labels).backward()
        nn.utils.clip_grad_norm_(net.weights(), 5)
        sgd.step()

    return net, step


# --- NAS-Bench-201 (lib/spaces/nb201) ---------------------------------------------------------

NB201_EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def nb201_op(name, c):
    if name == "skip_connect":
        return nn.Identity()
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    return relu_conv_bn(c, c, 3 if name == "nor_conv_3x3" else 1, 1, True)


class Nb201Cell(nn.Module):
    def __init__(self, cell, c):
        super().__init__()
        assert "none" not in cell, "the bench's cell computes every edge"
        self.ops = nn.ModuleList(nb201_op(name, c) for name in cell)

    def forward(self, x):
        nodes = [x]
        for to in (1, 2, 3):
            nodes.append(sum(op(nodes[src]) for (t, src), op in zip(NB201_EDGES, self.ops) if t == to))
        return nodes[3]


class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.body = nn.Sequential(relu_conv_bn(c_in, c_out, 3, 2, True), relu_conv_bn(c_out, c_out, 3, 1, True))
        self.projection = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x):
        # ceil_mode: odd sizes halve to ceil(h / 2), as nasbook's "same" pooling does.
        return self.body(x) + self.projection(F.avg_pool2d(x, 2, 2, ceil_mode=True))


def nb201_network(spec):
    c, n = spec["channels"], spec["cellsPerStage"]
    layers = [nn.Conv2d(spec["input"][2], c, 3, padding=1, bias=False), nn.BatchNorm2d(c)]
    for stage in range(3):
        width = c * 2 ** stage
        if stage > 0:
            layers.append(ResidualBlock(width // 2, width))
        layers += [Nb201Cell(spec["cell"], width) for _ in range(n)]
    last = c * 4
    layers += [nn.BatchNorm2d(last), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, CLASSES)]
    return nn.Sequential(*layers)


# --- NAS-RL child (lib/spaces/nasrl) ------------------------------------------------------------

def concat_padded(maps):
    if len(maps) == 1:
        return maps[0]
    height, width = max(m.shape[2] for m in maps), max(m.shape[3] for m in maps)
    padded = []
    for m in maps:
        dh, dw = height - m.shape[2], width - m.shape[3]
        padded.append(F.pad(m, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2)))
    return torch.cat(padded, dim=1)


class NasRlChild(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.layers, self.pool = spec["layers"], spec["inputPool"]
        depth = lambda inputs: sum(self.layers[j]["filters"] for j in inputs)
        self.convs = nn.ModuleList()
        for layer in self.layers:
            kh, kw = layer["filterHeight"], layer["filterWidth"]
            c_in = spec["input"][2] if not layer["inputs"] else depth(layer["inputs"])
            self.convs.append(nn.Sequential(
                nn.Conv2d(c_in, layer["filters"], (kh, kw), layer["stride"], padding=(kh // 2, kw // 2), bias=False),
                nn.BatchNorm2d(layer["filters"]), nn.ReLU()))
        used = {j for layer in self.layers for j in layer["inputs"]}
        self.outputs = [i for i in range(len(self.layers)) if i not in used]
        self.head = nn.Linear(depth(self.outputs), CLASSES)

    def forward(self, x):
        image = F.avg_pool2d(x, self.pool) if self.pool > 1 else x
        maps = []
        for layer, conv in zip(self.layers, self.convs):
            maps.append(conv(image if not layer["inputs"] else concat_padded([maps[j] for j in layer["inputs"]])))
        return self.head(concat_padded([maps[i] for i in self.outputs]).mean(dim=(2, 3)))


# --- The LSTM controller (lib/strategies/controller) ------------------------------------------

class ControllerPolicy(nn.Module):
    """policy.ts: a stacked LSTM stepped per decision; softmax heads with embeddings, attention for anchors."""

    def __init__(self, decisions, units, lstm_layers):
        super().__init__()
        self.decisions, self.units = decisions, units
        u = lambda *shape: nn.Parameter(torch.empty(*shape).uniform_(-0.08, 0.08))
        self.kernels = nn.ParameterList(u(2 * units, 4 * units) for _ in range(lstm_layers))
        self.biases = nn.ParameterList(u(4 * units) for _ in range(lstm_layers))
        self.start = u(1, units)
        categorical = [d for d in decisions if d.get("kind") != "anchor"]
        self.embeddings = nn.ParameterList(u(d["choices"], units) for d in categorical)
        self.head_kernels = nn.ParameterList(u(units, d["choices"]) for d in categorical)
        self.head_biases = nn.ParameterList(u(d["choices"]) for d in categorical)
        self.w_prev, self.w_curr, self.v = u(units, units), u(units, units), u(units, 1)

    def lstm(self, x, h, c):
        hs, cs = [], []
        for l, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            i, f, g, o = torch.split(torch.cat([x, h[l]], 1) @ kernel + bias, self.units, 1)
            cs.append(torch.sigmoid(f) * c[l] + torch.sigmoid(i) * torch.tanh(g))
            hs.append(torch.sigmoid(o) * torch.tanh(cs[l]))
            x = hs[l]
        return x, hs, cs

    def score(self, tokens):
        """Teacher-forced log p and entropy of m sequences side by side (tokens [m, decisions]): [m] each."""
        m = tokens.shape[0]
        h = [torch.zeros(m, self.units, device=DEVICE) for _ in self.kernels]
        c = [torch.zeros(m, self.units, device=DEVICE) for _ in self.kernels]
        x, k, head, log_prob, entropy, states = self.start.expand(m, -1), 0, 0, 0, 0, {}
        ds = self.decisions

        def emit(logp):
            nonlocal log_prob, entropy
            log_prob = log_prob + logp.gather(1, tokens[:, k:k + 1]).squeeze(1)
            entropy = entropy - (logp.exp() * logp).sum(1)

        while k < len(ds):
            out, h, c = self.lstm(x, h, c)
            states.setdefault(ds[k].get("layer"), out)
            if ds[k].get("kind") == "anchor":
                layer, current, chosen, count = ds[k]["layer"], out @ self.w_curr, 0, 1
                while k < len(ds) and ds[k].get("kind") == "anchor" and ds[k]["layer"] == layer:
                    previous = states[ds[k]["from"]]
                    logit = torch.tanh(previous @ self.w_prev + current) @ self.v
                    emit(-torch.cat([F.softplus(logit), F.softplus(-logit)], 1))
                    pick = tokens[:, k:k + 1].float()
                    chosen, count, k = chosen + pick * previous, count + pick, k + 1
                x = chosen / count
            else:
                emit(F.log_softmax(out @ self.head_kernels[head] + self.head_biases[head], dim=-1))
                x = self.embeddings[head][tokens[:, k]]
                head, k = head + 1, k + 1
        return log_prob, entropy


def controller_update(spec):
    """REINFORCE over m sequences scored as one batch: loss = -(1/m) sum (R - b) log p + 0 * H, one Adam step."""
    policy = ControllerPolicy(spec["decisions"], spec["units"], spec["lstmLayers"]).to(DEVICE)
    adam = torch.optim.Adam(policy.parameters(), lr=spec["learningRate"])
    tokens = torch.tensor(spec["tokens"], device=DEVICE)
    rewards = torch.tensor([0.4 + 0.1 * i for i in range(len(spec["tokens"]))], device=DEVICE)
    advantages = rewards - rewards.mean()

    def step():
        adam.zero_grad()
        log_prob, entropy = policy.score(tokens)
        (-(log_prob * advantages + 0 * entropy).mean()).backward()
        adam.step()

    return policy, step


# --- Timing --------------------------------------------------------------------------------------

def sgd_step(net, x):
    net, x = net.to(DEVICE), x.to(DEVICE)
    labels = torch.arange(x.shape[0], device=DEVICE) % CLASSES
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        optimizer.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        optimizer.step()

    return step


def batch_of(spec):
    h, w, c = spec["input"]
    return torch.randn(spec["batch"], c, h, w)


def workload(spec):
    """(module, step) for one workload's `torch` spec."""
    kind = spec["kind"]
    if kind == "reference-cnn":
        net = reference_cnn()
        return net, sgd_step(net, torch.randn(64, 3, 32, 32))
    if kind == "darts-mixed-op":
        net = MixedOpNetwork()
        return net, sgd_step(net, torch.randn(32, 16, 16, 16))
    if kind == "darts-step":
        return darts_step(spec)
    if kind == "nb201":
        net = nb201_network(spec)
        return net, sgd_step(net, batch_of(spec))
    if kind == "nasrl":
        net = NasRlChild(spec)
        return net, sgd_step(net, batch_of(spec))
    if kind == "controller":
        return controller_update(spec)
    raise ValueError(f"unknown workload kind {kind}")


def ms_per_step(step, steps, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        if DEVICE.type == "cuda":
            torch.cuda.synchronize()  # kernels are queued; the step ends when they have run
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def peak_gflops(reps=5):
    """This machine's peak as PyTorch reaches it: the best of `reps` 1x1 convolutions of a 64x64 map, 256 -> 256 channels (a GEMM; train-step.ts times the same)."""
    x, w = torch.randn(1, 256, 64, 64, device=DEVICE), torch.randn(256, 256, 1, 1, device=DEVICE)
    with torch.no_grad():
        F.conv2d(x, w)
        best = min(timed(lambda: F.conv2d(x, w)) for _ in range(reps))
    return 2 * 4096 * 256 * 256 / best / 1e9


def timed(f):
    start = time.perf_counter()
    f()
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", help="JSON file: [{name, steps, torch}]; default the two raw-op networks")
    parser.add_argument("--steps", type=int, default=10, help="steps of the raw-op networks without --spec")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU probe (bench/gpu-probe.sh)")
    args = parser.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    if args.spec:
        with open(args.spec) as f:
            specs = json.load(f)
    else:
        specs = [{"name": kind, "steps": args.steps, "torch": {"kind": kind}} for kind in ("reference-cnn", "darts-mixed-op")]
    ms, params = {}, {}
    for spec in specs:
        net, step = workload(spec["torch"])
        params[spec["name"]] = sum(p.numel() for p in net.parameters())
        ms[spec["name"]] = ms_per_step(step, spec["steps"], spec.get("warmup", 3))
    print(json.dumps({"torch": torch.__version__, "device": str(DEVICE), "threads": torch.get_num_threads(), "msPerStep": ms, "params": params, "peakGflops": peak_gflops()}))


if __name__ == "__main__":
    main()
