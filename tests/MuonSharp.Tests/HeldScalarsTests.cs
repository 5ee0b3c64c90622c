using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

public sealed class HeldScalarsTests
{
    [Fact]
    public void A_held_number_acts_as_the_implicit_Scalar_it_replaces()
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();

        var heldDouble = ones(3, dtype: ScalarType.Float64).mul_(s[0.1]);
        using Scalar converted = 0.1;                                       // the implicit conversion, held here
        var implicitDouble = ones(3, dtype: ScalarType.Float64).mul_(converted);
        var heldInteger = zeros(3, dtype: ScalarType.Int64).add_(s[2]);
        var heldLong = ones(3, dtype: ScalarType.Float32).div_(s[3L]);

        Assert.Equal(implicitDouble.data<double>().ToArray(), heldDouble.data<double>().ToArray());
        Assert.Equal(ScalarType.Int64, heldInteger.dtype);                 // an int stays an integer Scalar: no promotion
        Assert.Equal(new long[] { 2, 2, 2 }, heldInteger.data<long>().ToArray());
        using Scalar three = 3L;
        Assert.Equal(ones(3, dtype: ScalarType.Float32).div_(three).data<float>().ToArray(), heldLong.data<float>().ToArray());
    }

    [Fact]
    public void Held_Scalars_stay_usable_across_collections_until_disposed()
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var beta = s[0.9];

        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(0.9, ones(1, dtype: ScalarType.Float64).mul_(beta).item<double>());
    }
}
