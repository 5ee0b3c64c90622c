using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// Tests that read TorchSharp's process-wide live-tensor count; they run alone, after the parallel
/// tests, so no other test moves the count under them.
/// </summary>
[CollectionDefinition(nameof(NativeTensorCount), DisableParallelization = true)]
public sealed class NativeTensorCount;

[Collection(nameof(NativeTensorCount))]
public sealed class NativeTensorLeakTests
{
    private static long LiveTensorsAfter(Action action)
    {
        action(); // warm-up: first calls may create lazily initialized tensors that live on
        // Finalize earlier garbage now, so it cannot lower the count mid-measurement. No collection
        // afterwards: a finalizer would hide exactly the undisposed tensors this looks for.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;
        action();
        return Tensor.TotalCount - before;
    }

    [Fact]
    public void Spectral_diagnostics_leave_no_native_tensor_behind()
    {
        // Given a coupled loss over a matrix and a vector parameter, and a few matrices,
        using var u = tensor(new[] { 1.0, 2.0, 2.0 });
        using var w = new Parameter(randn(new long[] { 2, 3 }, dtype: ScalarType.Float64, generator: new Generator(70)));
        using var b = new Parameter(randn(new long[] { 2 }, dtype: ScalarType.Float64, generator: new Generator(71)));
        Tensor Loss() => 0.5 * (w.mv(u) - b).square().sum();
        using var g = TestMatrices.Random(4, 6, seed: 72);
        using var a = TestMatrices.Random(6, 20, seed: 73);
        using var c = TestMatrices.Random(4, 6, seed: 74);

        // when every diagnostic runs, then the live-tensor count is where it started.
        Assert.Equal(0, LiveTensorsAfter(() => Spectral.HessianTopEigenvalue(Loss, [w, b], iterations: 20)));
        Assert.Equal(0, LiveTensorsAfter(() => Spectral.HessianTraceHutchinson(Loss, [w, b], samples: 20)));
        Assert.Equal(0, LiveTensorsAfter(() => Spectral.LayerwiseConditionOf(g, a)));
        Assert.Equal(0, LiveTensorsAfter(() => Spectral.SubspaceMisalignment(g, c, 2, SubspaceSide.Right)));
        Assert.Equal(0, LiveTensorsAfter(() => Spectral.EffectiveRank(g)));
    }
}
