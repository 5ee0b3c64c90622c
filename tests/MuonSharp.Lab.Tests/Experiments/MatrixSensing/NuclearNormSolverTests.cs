using MuonSharp.Lab.Experiments.MatrixSensing;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class NuclearNormSolverTests
{
    private const double Tolerance = 1e-8;

    /// <summary>Measures only the diagonal of an n×n matrix: A_i = e_i e_iᵀ, b = d.</summary>
    private static SensingProblem DiagonalProblem(double[] d)
    {
        int n = d.Length;
        using var a = zeros(n, n * n, dtype: ScalarType.Float64);
        for (int i = 0; i < n; i++) a[i, i * n + i] = 1.0;
        using var target = diag(tensor(d, dtype: ScalarType.Float64));
        using var b = tensor(d, dtype: ScalarType.Float64);
        return SensingProblem.FromOperator(target, a, b);
    }

    [Fact]
    public void Given_only_the_diagonal_is_measured_when_solved_then_the_answer_is_the_diagonal_matrix_with_norm_sum_of_absolute_values()
    {
        // ‖W‖_* ≥ Σ|W_ii| for every W (pair W with the diagonal sign matrix, of operator norm 1), with equality at diag(d).
        double[] d = { 3, -2, 1, 0.5 };
        using var problem = DiagonalProblem(d);

        using var solution = NuclearNormSolver.Solve(problem, Tolerance, 20000);

        Assert.True(solution.Converged, solution.Check.ToString());
        Assert.True(solution.Check.Holds(Tolerance), solution.Check.ToString());
        Assert.Equal(6.5, solution.NuclearNorm, 6);
        Assert.True((solution.Solution - problem.Target).abs().max().item<double>() < 1e-6);
        Assert.Equal(4, solution.Check.Rank);
    }

    [Fact]
    public void Given_as_many_generic_measurements_as_entries_when_solved_then_the_unique_feasible_point_W_star_is_recovered()
    {
        using var generator = new Generator(11);
        using var target = randn(4, 5, dtype: ScalarType.Float64, generator: generator);           // full rank: nothing low-rank about it
        using var a = randn(20, 20, dtype: ScalarType.Float64, generator: generator) / Math.Sqrt(20);
        using var b = a.mv(target.reshape(-1));
        using var problem = SensingProblem.FromOperator(target, a, b);

        using var solution = NuclearNormSolver.Solve(problem, Tolerance, 20000);

        Assert.True(solution.Converged, solution.Check.ToString());
        Assert.True((solution.Solution - target).norm().item<double>() < 1e-6 * target.norm().item<double>());
        Assert.Equal(Spectral.NuclearNorm(target), solution.NuclearNorm, 6);
    }

    [Fact]
    public void Given_enough_Gaussian_measurements_of_a_low_rank_target_when_solved_then_W_star_is_recovered_with_its_rank()
    {
        var config = new MatrixSensingConfig { Rows = 10, Cols = 10, Rank = 1, Measurements = 60, Kappa = 3 };
        using var problem = SensingProblem.LowRank(config, seed: 4);

        using var solution = NuclearNormSolver.Solve(problem, Tolerance, 20000);

        Assert.True(solution.Converged, solution.Check.ToString());
        Assert.Equal(1, solution.Check.Rank);
        Assert.Equal(3.0, solution.NuclearNorm, 5);
        Assert.True((solution.Solution - problem.Target).norm().item<double>() < 1e-5);
    }

    [Fact]
    public void The_check_accepts_the_known_optimum_with_its_dual_certificate()
    {
        double[] d = { 3, -2, 1, 0.5 };
        using var problem = DiagonalProblem(d);
        using var y = tensor(d.Select(x => (double)Math.Sign(x)).ToArray(), dtype: ScalarType.Float64); // 𝒜*(y) = diag(sign d) = UVᵀ

        var check = NuclearNormSolver.Check(problem, problem.Target, y);

        Assert.True(check.Holds(1e-12), check.ToString());
        Assert.Equal(6.5, check.UpperBound, 12);
        Assert.Equal(6.5, check.LowerBound, 12);
        Assert.Equal(1.0, check.DualNorm, 12);
    }

    [Fact]
    public void The_check_rejects_a_feasible_point_that_is_not_minimal_and_a_dual_vector_that_is_not_feasible()
    {
        double[] d = { 3, -2, 1, 0.5 };
        using var problem = DiagonalProblem(d);
        using var y = tensor(d.Select(x => (double)Math.Sign(x)).ToArray(), dtype: ScalarType.Float64);
        // Off-diagonal entries are not measured: adding them keeps W feasible but raises its nuclear norm.
        using var notMinimal = problem.Target + 0.7 * (ones(4, 4, dtype: ScalarType.Float64) - eye(4, dtype: ScalarType.Float64));

        var worse = NuclearNormSolver.Check(problem, notMinimal, y);
        var scaled = NuclearNormSolver.Check(problem, problem.Target, y * 2);

        Assert.True(worse.PrimalResidual < 1e-15);
        Assert.True(worse.RelativeGap > 0.05, worse.ToString());
        Assert.True(worse.RangeMismatch > 0.1, worse.ToString());
        Assert.False(worse.Holds(1e-6));
        Assert.Equal(2.0, scaled.DualNorm, 12);
        Assert.False(scaled.Holds(1e-6));
        Assert.Equal(6.5, scaled.LowerBound, 12); // the bound rescales y onto the dual-feasible set: still valid
    }

    [Fact]
    public void An_iteration_cap_too_small_to_converge_is_reported_as_not_certified()
    {
        var config = new MatrixSensingConfig { Rows = 10, Cols = 10, Rank = 2, Measurements = 60 };
        using var problem = SensingProblem.LowRank(config, seed: 1);

        using var solution = NuclearNormSolver.Solve(problem, Tolerance, maxIterations: 3);

        Assert.False(solution.Converged);
        Assert.Equal(3, solution.Iterations);
    }
}
