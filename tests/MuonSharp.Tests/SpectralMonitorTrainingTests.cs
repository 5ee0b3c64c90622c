using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// <see cref="SpectralMonitor"/> attached to a real training loop: it never changes the training numbers,
/// leaks no native tensor, and its hooks are gone after <c>Dispose</c>. These read the process-wide
/// live-tensor count, so they run alone.
/// </summary>
[Collection(nameof(NativeTensorCount))]
public sealed class SpectralMonitorTrainingTests
{
    private sealed class Run : IDisposable
    {
        private readonly Tensor _x, _y, _probeX, _probeY;
        public Sequential Model { get; }
        public MuonSharp.Optimizers.MuonWithAuxAdamW Optimizer { get; }

        public Run()
        {
            manual_seed(11);   // the model's initialization and dropout draw from the global stream
            Model = nn.Sequential(("fc1", nn.Linear(10, 16)), ("relu1", nn.ReLU()), ("drop", nn.Dropout(0.3)),
                ("fc2", nn.Linear(16, 16)), ("relu2", nn.ReLU()), ("head", nn.Linear(16, 3)));
            Optimizer = Optim.MuonWithAuxAdamW(Model.named_parameters(), lr: 0.02, adamw_lr: 1e-3);
            var data = new Generator(12);
            _x = randn(new long[] { 32, 10 }, generator: data);
            _y = randn(new long[] { 32, 3 }, generator: data);
            _probeX = randn(new long[] { 16, 10 }, generator: data);
            _probeY = randn(new long[] { 16, 3 }, generator: data);
        }

        /// <summary>The Hessian closure: a fixed batch in evaluation mode, so it draws no random numbers.</summary>
        public Tensor ProbeLoss()
        {
            Model.eval();
            var loss = nn.functional.mse_loss(Model.call(_probeX), _probeY);
            Model.train();
            return loss;
        }

        public void Train(int fromStep, int steps, SpectralMonitor? monitor)
        {
            for (int step = fromStep; step < fromStep + steps; step++)
            {
                using var scope = NewDisposeScope();
                Optimizer.zero_grad();
                // Two micro-batches: gradient accumulation, as a user with a small memory budget writes it.
                nn.functional.mse_loss(Model.call(_x[..16]), _y[..16]).backward();
                nn.functional.mse_loss(Model.call(_x[16..]), _y[16..]).backward();
                monitor?.Record(step);
                Optimizer.step();
            }
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
            foreach (var t in new[] { _x, _y, _probeX, _probeY }) t.Dispose();
        }
    }

    [Fact]
    public void Training_with_the_monitor_gives_bit_identical_parameters()
    {
        // Given the same seeded run twice, once with a monitor observing every other step (Hessian every 4th),
        using var plain = new Run();
        plain.Train(0, 12, monitor: null);
        using var monitored = new Run();
        using (var monitor = SpectralMonitor.Attach(monitored.Model, every: 2, optimizer: monitored.Optimizer,
                   hessianLoss: monitored.ProbeLoss, hessianEvery: 4))
        {
            monitored.Train(0, 12, monitor);
            Assert.Contains(monitor.Rows, r => r.Metric == SpectralMetrics.NsOrthogonalityError);
            Assert.Contains(monitor.Rows, r => r.Metric == SpectralMetrics.HessianTopEigenvalue);
        }

        // then every parameter is equal bit for bit, and the global random stream is where it would be.
        var expected = plain.Model.named_parameters().ToList();
        var actual = monitored.Model.named_parameters().ToList();
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].parameter.equal(actual[i].parameter).all().item<bool>(), $"{expected[i].name} differs");
    }

    [Fact]
    public void Many_steps_do_not_grow_the_number_of_live_native_tensors()
    {
        using var run = new Run();
        using var monitor = SpectralMonitor.Attach(run.Model, every: 2, optimizer: run.Optimizer);
        run.Train(0, 11, monitor);   // optimizer state and the monitor's kept weights exist by now
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;

        run.Train(11, 100, monitor);   // ends in the same phase (after an odd step)

        long after = Tensor.TotalCount;
        Assert.True(after <= before, $"live tensors grew from {before} to {after} over 100 monitored steps");
    }

    [Fact]
    public void Dispose_removes_the_hooks()
    {
        // Given a monitored model, a training forward inside a dispose scope leaves the captured inputs alive,
        using var run = new Run();
        var monitor = SpectralMonitor.Attach(run.Model, every: 1);
        using var x = ones(4, 10);
        long Growth()
        {
            long before = Tensor.TotalCount;
            using (NewDisposeScope()) run.Model.call(x);
            return Tensor.TotalCount - before;
        }
        Assert.True(Growth() > 0, "the hooks should have kept the inputs of the training forward");

        // when the monitor is disposed, the captured inputs are freed and a forward keeps nothing.
        long beforeDispose = Tensor.TotalCount;
        monitor.Dispose();
        Assert.True(Tensor.TotalCount < beforeDispose);
        Assert.Equal(0, Growth());
    }
}
