using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Finds the gradients that hold NaN or ±Inf, with one read pass over each gradient and a single host
/// synchronization for all of them: <see cref="OptimizerBase.step"/> runs it before every update, so
/// its cost is measured against a whole step (benchmark <c>NonFiniteCheckBenchmarks</c>).
/// </summary>
internal static class NonFiniteGradientCheck
{
    /// <summary>A parameter whose gradient is not finite, and what its gradient holds, for the message.</summary>
    internal readonly record struct Finding(Parameter Parameter, string Contents);

    /// <summary>The parameters among <paramref name="parameters"/> whose gradient holds NaN or ±Inf (usually none).</summary>
    public static List<Finding> Find(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var withGradient = parameters.Where(p => p.grad is not null).ToList();
        if (withGradient.Count == 0) return new();

        // A NaN or ±Inf entry makes its gradient's sum non-finite (∞ − ∞ is NaN), and a sum reads the
        // gradient once without allocating anything of its size. So one sum per gradient and one
        // synchronization answer "all finite?" in the usual case. A finite gradient whose sum overflows
        // also lands below, where the exact check clears it.
        var sums = withGradient.Select(p => p.grad!.sum()).ToArray();
        if (sums.Any(sum => sum.dtype != sums[0].dtype)) sums = sums.Select(sum => sum.to(ScalarType.Float64)).ToArray();
        if (stack(sums).isfinite().all().ToBoolean()) return new();
        return withGradient.Where(p => !p.grad!.isfinite().all().ToBoolean()).Select(p => new Finding(p, Contents(p.grad!))).ToList();
    }

    private static string Contents(Tensor grad)
    {
        long nan = grad.isnan().sum().ToInt64(), infinite = grad.isinf().sum().ToInt64();
        var kinds = new[] { nan > 0 ? $"{nan} NaN" : null, infinite > 0 ? $"{infinite} infinite" : null }.OfType<string>();
        return $"{string.Join(", ", kinds)} of {grad.numel()} entries";
    }
}
