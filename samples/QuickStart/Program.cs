// QuickStart: train the same small network twice — once with AdamW, once with Muon (hidden
// matrices) + AdamW (everything else) — and print where both loss curves start and end.
//
//     dotnet run --project samples/QuickStart [-- --steps 300 --seed 0 --threads 1]
//
// Threads: libtorch runs each operation on several threads, one per core by default. On a machine
// where other jobs keep the cores busy, every operation waits for its slowest thread: on a shared
// 2-core machine this sample took 2 s or 147 s at random with the default. Small models like this
// one gain little from a second thread, so the sample uses 1 (torch.set_num_threads, before any
// tensor work); pass --threads 0 to keep libtorch's default.
//
// The task is regression onto a random "teacher" network, so there is something to learn and
// no data to download. Same seed, same initial weights, same batches for both optimizers.
// A SpectralMonitor watches the Muon run (two lines: attach, record) and prints, layer by layer,
// whether the layerwise condition nr(G) ≥ st(A) favors a spectral update there (004 §3).
using MuonSharp;
using TorchSharp;
using static TorchSharp.torch;

int steps = ReadOption(args, "--steps", 300);
int seed = ReadOption(args, "--seed", 0);
int threads = ReadOption(args, "--threads", 1);
if (threads > 0) set_num_threads(threads);

const int Inputs = 32, Hidden = 128, Outputs = 8, Samples = 2048, BatchSize = 256;
var generator = new Generator((ulong)seed);
var x = randn(new long[] { Samples, Inputs }, generator: generator);
Tensor y;
using (no_grad())
{
    manual_seed(seed + 1);
    y = Network().forward(x); // the teacher's outputs are the regression targets
}

Console.WriteLine($"QuickStart: {Samples} samples, MLP {Inputs}→{Hidden}→{Hidden}→{Outputs}, {steps} steps, batch {BatchSize}, seed {seed}, {get_num_threads()} libtorch thread(s)\n");
var results = new[]
{
    Train("AdamW (lr 1e-3)", model => torch.optim.AdamW(model.parameters(), lr: 1e-3), x, y, monitored: false),
    Train("Muon (lr 0.02) + AdamW (lr 1e-3)", model =>
    {
        var optimizer = Optim.MuonWithAuxAdamW(model.named_parameters(), lr: 0.02, adamw_lr: 1e-3);
        Console.WriteLine(optimizer.RoutingTable());
        return optimizer;
    }, x, y, monitored: true),
};
Console.WriteLine($"{"optimizer",-34} {"first loss",12} {"last loss",12}");
foreach (var (name, first, last) in results) Console.WriteLine($"{name,-34} {first,12:G5} {last,12:G5}");

(string name, double first, double last) Train(string name, Func<nn.Module<Tensor, Tensor>, torch.optim.Optimizer> makeOptimizer,
    Tensor inputs, Tensor targets, bool monitored)
{
    manual_seed(seed + 2); // identical initial weights for every optimizer
    var model = Network();
    using var optimizer = makeOptimizer(model);
    // The monitor never changes the training numbers, so the Muon run is the same with or without it.
    using var monitor = monitored ? SpectralMonitor.Attach(model, every: 10, optimizer: optimizer) : null;
    var batches = new Generator((ulong)seed + 3);
    double first = double.NaN, last = double.NaN;
    for (int step = 0; step < steps; step++)
    {
        using var scope = NewDisposeScope();
        var index = randint(0, Samples, new long[] { BatchSize }, generator: batches);
        optimizer.zero_grad();
        var loss = nn.functional.mse_loss(model.call(inputs[index]), targets[index]);   // call: runs the monitor's hooks
        loss.backward();
        monitor?.Record(step);   // after backward, before step
        optimizer.step();
        last = loss.ToDouble();
        if (step == 0) first = last;
    }
    if (monitor is not null)
    {
        Console.WriteLine($"Spectral monitor, {name}, observed every {monitor.Every} steps:");
        monitor.PrintAdvice();
        Console.WriteLine();
    }
    return (name, first, last);
}

static nn.Module<Tensor, Tensor> Network() => nn.Sequential(
    ("fc1", nn.Linear(Inputs, Hidden)), ("act1", nn.Tanh()),
    ("fc2", nn.Linear(Hidden, Hidden)), ("act2", nn.Tanh()),
    ("head", nn.Linear(Hidden, Outputs)));

static int ReadOption(string[] args, string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    if (at < 0) return fallback;
    if (at + 1 < args.Length && int.TryParse(args[at + 1], out var value) && value >= 0) return value;
    Console.Error.WriteLine($"{name} needs a non-negative integer, e.g. {name} {fallback}.");
    Environment.Exit(2);
    return fallback;
}
