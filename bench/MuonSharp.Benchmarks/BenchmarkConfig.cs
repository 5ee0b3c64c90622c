using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace MuonSharp.Benchmarks;

/// <summary>
/// The configuration of every benchmark class: BenchmarkDotNet's defaults plus Median, Min and the
/// throughput columns docs/PERFORMANCE.md quotes. Jobs are named per class (short, or a single call
/// for the multi-second SVD).
/// </summary>
/// <remarks>
/// Every job runs in process (<see cref="InProcessEmitToolchain"/>). BenchmarkDotNet's default
/// toolchain generates and builds a boilerplate project per run and runs the benchmarks in that
/// project's output. Tried here (BenchmarkDotNet 0.15.8, 2-core shared machine): that build took
/// 70 s once and overran BenchmarkDotNet's 120 s build timeout once, and where it finished, TorchSharp
/// failed to load its native library from the generated output and fell back to the unpatched copy
/// in the NuGet cache ("Failed to load native component", the GLIBCXX_3.4.32 problem that
/// build/TorchSharpNativeFix.targets fixes for our own outputs). In process, the benchmarks run in
/// this project's own build output, whose libLibTorchSharp.so the build has already patched.
/// The cost: no process isolation between benchmarks — acceptable here because the measured work is
/// native (libtorch), not managed code whose JIT or GC state could leak from one benchmark to the next.
/// </remarks>
public sealed class BenchmarkConfig : ManualConfig
{
    /// <summary>
    /// The in-process toolchain with a 30-minute limit per benchmark instead of the default 5: on a
    /// busy shared machine the slowest case (float32 Newton–Schulz at 4096×4096, about 13 s per call
    /// when the machine is quiet) has taken over a minute per call.
    /// </summary>
    public static readonly InProcessEmitToolchain InProcess = new(TimeSpan.FromMinutes(30), logOutput: true);

    /// <summary>
    /// BenchmarkDotNet's ShortRun (1 launch, 3 warm-up and 3 measured iterations), in process.
    /// Kernels that take seconds per call get one call per iteration automatically.
    /// </summary>
    public static readonly Job Short = Job.ShortRun.WithToolchain(InProcess).WithId("ShortRun-InProcess");

    /// <summary>Creates the configuration: default loggers and exporters and the throughput columns.
    /// Each class names its job with <see cref="ShortInProcessJobAttribute"/> or <see cref="SingleCallJobAttribute"/>.</summary>
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        AddColumn(new FlopsColumn(), new ThroughputColumn(), new FractionOfMatmulColumn(), new StepModelColumn(), new OfAdamWColumn());
        WithOption(ConfigOptions.JoinSummary, false);
    }
}

/// <summary>Runs a class with <see cref="BenchmarkConfig.Short"/>, optionally with more iterations.</summary>
/// <param name="iterationCount">Measured iterations: ShortRun's 3 unless a class's calls are cheap enough
/// to afford more chances of catching a quiet moment on a shared machine.</param>
/// <param name="warmupCount">Warm-up iterations: ShortRun's 3 unless a class's first benchmarks of a
/// parameter set pay a cost three do not absorb.</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortInProcessJobAttribute(int iterationCount = 3, int warmupCount = 3)
    : BenchmarkDotNet.Attributes.JobConfigBaseAttribute(BenchmarkConfig.Short.WithIterationCount(iterationCount).WithWarmupCount(warmupCount))
{
}

/// <summary>One warm-up call and one measured call, in process (see <see cref="BenchmarkConfig"/> for why in process).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SingleCallJobAttribute : BenchmarkDotNet.Attributes.JobConfigBaseAttribute
{
    /// <summary>Creates the job.</summary>
    public SingleCallJobAttribute() : base(Job.Dry.WithToolchain(BenchmarkConfig.InProcess).WithId("SingleCall-InProcess"))
    {
    }
}
