using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MuonSharp.Benchmarks;

/// <summary>
/// Shared plumbing of the derived columns. Every one of them is computed from the fastest measured
/// iteration (BenchmarkDotNet's Min), not the mean or median: the build machine is shared, other
/// jobs only ever add time, and a ratio of two kernels is only meaningful if both saw the same
/// (least) interference. The Median column stays in the table to show how much noise there was.
/// </summary>
public abstract class DerivedColumn : IColumn
{
    /// <inheritdoc />
    public abstract string Id { get; }
    /// <inheritdoc />
    public abstract string ColumnName { get; }
    /// <inheritdoc />
    public abstract string Legend { get; }
    /// <inheritdoc />
    public bool AlwaysShow => true;
    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc />
    public int PriorityInCategory => 0;
    /// <inheritdoc />
    public bool IsNumeric => true;
    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Compute(summary, benchmarkCase) is double value ? value.ToString(Format, CultureInfo.InvariantCulture) : "-";

    /// <summary>How the value is printed.</summary>
    protected abstract string Format { get; }

    /// <summary>The value, or null where it does not apply.</summary>
    /// <param name="summary">The run.</param>
    /// <param name="benchmarkCase">The row.</param>
    protected abstract double? Compute(Summary summary, BenchmarkCase benchmarkCase);

    /// <summary>
    /// Time of one operation in nanoseconds in the fastest measured iteration (per step where a
    /// benchmark runs several steps per call), or null if the case did not run.
    /// </summary>
    /// <param name="summary">The run.</param>
    /// <param name="benchmarkCase">The row.</param>
    protected static double? FastestNanoseconds(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics?.Min;

    /// <summary>The case of the same type and parameters whose method is <paramref name="method"/>, if it ran.</summary>
    /// <param name="summary">The run.</param>
    /// <param name="benchmarkCase">The row.</param>
    /// <param name="method">A benchmark method name of the same class.</param>
    protected static BenchmarkCase? Sibling(Summary summary, BenchmarkCase benchmarkCase, Func<BenchmarkCase, bool> method) =>
        summary.BenchmarksCases.FirstOrDefault(other =>
            other.Descriptor.Type == benchmarkCase.Descriptor.Type
            && other.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo
            && method(other));

    /// <summary>The case of the same type and parameters whose method is named <paramref name="method"/>, if it ran.</summary>
    /// <param name="summary">The run.</param>
    /// <param name="benchmarkCase">The row.</param>
    /// <param name="method">A benchmark method name of the same class.</param>
    protected static BenchmarkCase? Sibling(Summary summary, BenchmarkCase benchmarkCase, string method) =>
        Sibling(summary, benchmarkCase, other => other.Descriptor.WorkloadMethod.Name == method);

    /// <summary>Whether the row is one of <paramref name="methods"/> of <see cref="OptimizerStepBenchmarks"/>.</summary>
    /// <param name="benchmarkCase">The row.</param>
    /// <param name="methods">Benchmark method names.</param>
    protected static bool IsOptimizerStep(BenchmarkCase benchmarkCase, params string[] methods) =>
        benchmarkCase.Descriptor.Type == typeof(OptimizerStepBenchmarks) && methods.Contains(benchmarkCase.Descriptor.WorkloadMethod.Name);

    /// <summary>GFLOP/s of a case from its FLOP model and fastest iteration, or null.</summary>
    /// <param name="summary">The run.</param>
    /// <param name="benchmarkCase">The row.</param>
    protected static double? Gflops(Summary summary, BenchmarkCase benchmarkCase) =>
        Flops.Of(benchmarkCase) is double flops && FastestNanoseconds(summary, benchmarkCase) is double ns and > 0
            ? flops / ns // FLOP per nanosecond = GFLOP/s
            : null;
}

/// <summary>The FLOP count of one operation, in GFLOP.</summary>
public sealed class FlopsColumn : DerivedColumn
{
    /// <inheritdoc />
    public override string Id => nameof(FlopsColumn);
    /// <inheritdoc />
    public override string ColumnName => "GFLOP";
    /// <inheritdoc />
    public override string Legend => "Floating-point operations of one call (one step), in 10⁹, from the FLOP model of docs/PERFORMANCE.md";
    /// <inheritdoc />
    protected override string Format => "0.000";
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase) => Flops.Of(benchmarkCase) / 1e9;
}

/// <summary>Achieved throughput: FLOP model ÷ fastest iteration's time.</summary>
public sealed class ThroughputColumn : DerivedColumn
{
    /// <inheritdoc />
    public override string Id => nameof(ThroughputColumn);
    /// <inheritdoc />
    public override string ColumnName => "GFLOP/s";
    /// <inheritdoc />
    public override string Legend => "FLOP model ÷ Min (the fastest iteration: other jobs on a shared machine only add time)";
    /// <inheritdoc />
    protected override string Format => "0";
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase) => Gflops(summary, benchmarkCase);
}

/// <summary>
/// Throughput as a fraction of the same run's matmul of the same size and dtype (the floor every
/// GEMM-bound kernel is measured against).
/// </summary>
public sealed class FractionOfMatmulColumn : DerivedColumn
{
    /// <inheritdoc />
    public override string Id => nameof(FractionOfMatmulColumn);
    /// <inheritdoc />
    public override string ColumnName => "of matmul";
    /// <inheritdoc />
    public override string Legend => "GFLOP/s ÷ GFLOP/s of this run's matmul with the same Size and dtype";
    /// <inheritdoc />
    protected override string Format => "0.00";
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        var attribute = Flops.AttributeOf(benchmarkCase);
        if (attribute is null || attribute.Model is FlopModel.Matmul or FlopModel.None or FlopModel.MuonStep) return null;
        var matmul = Sibling(summary, benchmarkCase, other =>
            Flops.AttributeOf(other) is { Model: FlopModel.Matmul } reference && reference.Dtype == attribute.Dtype);
        return matmul is not null && Gflops(summary, benchmarkCase) is double mine && Gflops(summary, matmul) is double floor
            ? mine / floor
            : null;
    }
}

/// <summary>
/// For Muon's optimizer step: its time ÷ the cost model of docs/PERFORMANCE.md — Muon's
/// Newton–Schulz GEMMs at the measured matmul rate (<see cref="OptimizerStepBenchmarks.MuonGemmsOnly"/>)
/// plus AdamW-like elementwise work (<see cref="OptimizerStepBenchmarks.AdamWElementwise"/>: AdamW's
/// update on every parameter, in place). The target is ≤ 1.15.
/// </summary>
public sealed class StepModelColumn : DerivedColumn
{
    /// <inheritdoc />
    public override string Id => nameof(StepModelColumn);
    /// <inheritdoc />
    public override string ColumnName => "of model";
    /// <inheritdoc />
    public override string Legend => "Muon step ÷ (MuonGemmsOnly + AdamWElementwise), Min of each, same run; target ≤ 1.15";
    /// <inheritdoc />
    protected override string Format => "0.00";
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (!IsOptimizerStep(benchmarkCase, nameof(OptimizerStepBenchmarks.Muon), nameof(OptimizerStepBenchmarks.MuonBatched))) return null;
        var gemms = Sibling(summary, benchmarkCase, nameof(OptimizerStepBenchmarks.MuonGemmsOnly));
        var elementwise = Sibling(summary, benchmarkCase, nameof(OptimizerStepBenchmarks.AdamWElementwise));
        if (gemms is null || elementwise is null) return null;
        return FastestNanoseconds(summary, benchmarkCase) is double step
               && FastestNanoseconds(summary, gemms) is double floor
               && FastestNanoseconds(summary, elementwise) is double passes
            ? step / (floor + passes)
            : null;
    }
}

/// <summary>An optimizer step's time ÷ TorchSharp's AdamW step on the same parameter set (Min of each, same run).</summary>
public sealed class OfAdamWColumn : DerivedColumn
{
    /// <inheritdoc />
    public override string Id => nameof(OfAdamWColumn);
    /// <inheritdoc />
    public override string ColumnName => "of AdamW";
    /// <inheritdoc />
    public override string Legend => "optimizer step ÷ AdamW step on the same parameters, Min of each, same run; hybrid target on the CNN ≤ 3.5 at 1 thread";
    /// <inheritdoc />
    protected override string Format => "0.00";
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (!IsOptimizerStep(benchmarkCase, nameof(OptimizerStepBenchmarks.Muon), nameof(OptimizerStepBenchmarks.MuonBatched),
                nameof(OptimizerStepBenchmarks.MuonBatchedWithoutGram), nameof(OptimizerStepBenchmarks.Lion), nameof(OptimizerStepBenchmarks.Shampoo))) return null;
        var adamw = Sibling(summary, benchmarkCase, nameof(OptimizerStepBenchmarks.AdamW));
        return adamw is not null && FastestNanoseconds(summary, benchmarkCase) is double step && FastestNanoseconds(summary, adamw) is double floor
            ? step / floor
            : null;
    }
}
