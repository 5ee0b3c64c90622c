using MuonSharp.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class ShampooPreconditionerTests
{
    [Fact]
    public void Partition_covers_the_matrix_row_major_with_blocks_no_larger_than_the_limit()
    {
        var blocks = ShampooPreconditioner.Partition(2500, 7, 1024);

        Assert.Equal(new[] { new ShampooBlock(0, 1024, 0, 7), new ShampooBlock(1024, 1024, 0, 7), new ShampooBlock(2048, 452, 0, 7) }, blocks);
        Assert.Single(ShampooPreconditioner.Partition(1024, 1024, 1024));
        Assert.Equal(new[] { new ShampooBlock(0, 2, 0, 2), new ShampooBlock(0, 2, 2, 1), new ShampooBlock(2, 1, 0, 2), new ShampooBlock(2, 1, 2, 1) },
            ShampooPreconditioner.Partition(3, 3, 2));
    }

    [Fact]
    public void The_inverse_fourth_root_raised_to_the_fourth_power_inverts_the_regularized_matrix()
    {
        // Given a random SPD A, X = (A + εI)^{-1/4} satisfies X⁴(A + εI) = I and is symmetric.
        using var scope = NewDisposeScope();
        var g = randn(new long[] { 6, 9 }, dtype: ScalarType.Float64, generator: new Generator(31));
        var a = g.matmul(g.T);
        const double epsilon = 1e-3;

        var x = ShampooPreconditioner.InverseRoot(a, ShampooPreconditioner.MatrixRoot, epsilon);
        var x4 = x.matmul(x).matmul(x).matmul(x);

        Assert.True(x4.matmul(a + epsilon * eye(6, dtype: ScalarType.Float64)).allclose(eye(6, dtype: ScalarType.Float64), rtol: 0, atol: 1e-10));
        Assert.True(x.allclose(x.T, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void Rounding_below_zero_is_clamped_so_a_singular_statistic_gives_a_finite_root()
    {
        // Given a rank-one float32 statistic (its zero eigenvalues come out of eigh as rounding noise, possibly negative),
        // the root is finite, keeps the input dtype, and is ε^{-1/4} on the null space.
        using var scope = NewDisposeScope();
        var v = tensor(new float[] { 1, 2, 3, 4 }).unsqueeze(1);                 // [4, 1]
        var a = v.matmul(v.T);
        const double epsilon = 1e-8;

        var x = ShampooPreconditioner.InverseRoot(a, ShampooPreconditioner.MatrixRoot, epsilon);
        var nullVector = tensor(new float[] { 2, -1, 0, 0 }) / MathF.Sqrt(5);

        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.True(x.isfinite().all().ToBoolean());
        Assert.Equal(Math.Pow(epsilon, -0.25), x.matmul(nullVector).norm().ToDouble(), 1e-2);
    }

    [Fact]
    public void Bad_arguments_name_themselves()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ShampooPreconditioner.InverseRoot(eye(2), 4, 0));
        Assert.Equal("epsilon", error.ParamName);
        Assert.Throws<ArgumentException>(() => ShampooPreconditioner.InverseRoot(ones(2, 3), 4, 1e-6));
        var partition = Assert.Throws<ArgumentOutOfRangeException>(() => ShampooPreconditioner.Partition(3, 3, 0));
        Assert.Equal("max_preconditioner_dim", partition.ParamName);
    }
}
