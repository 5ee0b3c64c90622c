using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// How close a point W and a dual vector y are to solving min ‖W‖_* s.t. 𝒜(W) = b. The
/// conditions (standard convex duality; the dual problem is max bᵀy s.t. ‖𝒜*(y)‖_op ≤ 1):
/// <list type="bullet">
/// <item>primal feasibility: ‖𝒜(W) − b‖ / ‖b‖ small;</item>
/// <item>dual feasibility: ‖𝒜*(y)‖_op ≤ 1 (+ tolerance);</item>
/// <item>subgradient condition 𝒜*(y) ∈ ∂‖W‖_*: with W = UΣVᵀ (rank r, compact),
///   P_T(𝒜*(y)) = UVᵀ where P_T(Y) = UUᵀY + YVVᵀ − UUᵀYVVᵀ, i.e. 𝒜*(y) equals UVᵀ on W's row and
///   column spaces (and has operator norm ≤ 1 off them);</item>
/// <item>duality gap: by weak duality bᵀy / max(1, ‖𝒜*(y)‖_op) ≤ min ‖W‖_* for any y, so the gap
///   between the nuclear norm of a feasible point and that lower bound brackets the optimum.</item>
/// </list>
/// </summary>
/// <param name="PrimalResidual">‖𝒜(W) − b‖ / ‖b‖.</param>
/// <param name="DualNorm">‖𝒜*(y)‖_op.</param>
/// <param name="RangeMismatch">‖P_T(𝒜*(y)) − UVᵀ‖_F / √r (per-direction misfit; 0 at the optimum).</param>
/// <param name="Rank">r: singular values of W above <see cref="NuclearNormSolver.RankTolerance"/>·σ₁.</param>
/// <param name="UpperBound">‖W‖_* of the feasible point Π(W) (W projected onto 𝒜(W) = b).</param>
/// <param name="LowerBound">bᵀy / max(1, ‖𝒜*(y)‖_op), a certified lower bound of the optimum.</param>
public sealed record OptimalityCheck(double PrimalResidual, double DualNorm, double RangeMismatch, int Rank, double UpperBound, double LowerBound)
{
    /// <summary>(upper − lower) / upper: the relative distance to the optimum is at most this.</summary>
    public double RelativeGap => UpperBound == 0 ? 0 : (UpperBound - LowerBound) / UpperBound;

    /// <summary>
    /// All conditions met: residual and gap ≤ <paramref name="tolerance"/>, dual norm ≤ 1 + tolerance,
    /// range mismatch ≤ √tolerance (it converges like the square root of the gap).
    /// </summary>
    /// <param name="tolerance">The solver's tolerance.</param>
    public bool Holds(double tolerance) =>
        PrimalResidual <= tolerance && RelativeGap <= tolerance && DualNorm <= 1 + tolerance && RangeMismatch <= Math.Sqrt(tolerance);
}

/// <summary>The convex solver's answer.</summary>
/// <param name="Solution">W_cvx, the low-rank iterate <c>[m, n]</c> (caller disposes).</param>
/// <param name="Dual">y, <c>[p]</c> (caller disposes).</param>
/// <param name="Iterations">ADMM iterations run.</param>
/// <param name="Check">Its optimality conditions.</param>
/// <param name="Converged">The check held within the iteration cap.</param>
public sealed record ConvexSolution(Tensor Solution, Tensor Dual, int Iterations, OptimalityCheck Check, bool Converged) : IDisposable
{
    /// <summary>‖W_cvx‖_*: the nuclear norm of the feasible projection of the solution (an upper bound of the optimum).</summary>
    public double NuclearNorm => Check.UpperBound;

    /// <inheritdoc />
    public void Dispose()
    {
        Solution.Dispose();
        Dual.Dispose();
    }
}

/// <summary>
/// Solves min ‖W‖_* s.t. 𝒜(W) = b (the convex baseline of <c>002</c> §6, Fig. 3, which used CVXPY)
/// with scaled ADMM on the splitting W = Z (Boyd et al. 2011, §3–4):
/// <code>
/// W ← Π(Z − U)                      projection onto {𝒜(W) = b}: Π(V) = V − 𝒜*(𝒜𝒜*)⁻¹(𝒜(V) − b)
/// Z ← SVT_{1/ρ}(W + U)              singular-value soft-thresholding, the prox of ‖·‖_*/ρ
/// U ← U + W − Z
/// </code>
/// After each Z-update ρU ∈ ∂‖Z‖_* exactly (it is what the thresholding removed), so the dual
/// vector is the least-squares y with 𝒜*(y) ≈ ρU; the run stops when <see cref="OptimalityCheck.Holds"/>.
/// ρ is adapted by residual balancing (Boyd et al. §3.4.1). Needs 𝒜𝒜* invertible (p ≤ m·n, generic A).
/// </summary>
public static class NuclearNormSolver
{
    /// <summary>Singular values below this fraction of σ₁ do not count toward the rank in the check.</summary>
    public const double RankTolerance = 1e-6;

    /// <summary>Iterations between checks (each check costs two SVDs and a solve).</summary>
    private const int CheckEvery = 10;

    /// <summary>Runs ADMM until the optimality check holds at <paramref name="tolerance"/> or the cap.</summary>
    /// <param name="problem">𝒜 and b (W* is not used).</param>
    /// <param name="tolerance">Relative tolerance of the check.</param>
    /// <param name="maxIterations">Iteration cap.</param>
    /// <param name="cancellation">Checked between iterations.</param>
    public static ConvexSolution Solve(SensingProblem problem, double tolerance, int maxIterations, CancellationToken cancellation = default)
    {
        using var scope = NewDisposeScope();
        var a = problem.MeasurementMatrix;                                   // [p, mn]
        var pseudoInverse = linalg.solve(a.matmul(a.t()), a).t();            // [mn, p]: 𝒜*(𝒜𝒜*)⁻¹
        long m = problem.Rows, n = problem.Cols;
        Tensor Project(Tensor v) => v - pseudoInverse.mv(problem.Measure(v) - problem.Measurements).reshape(m, n);

        double rho = 1;
        var z = zeros(m, n, dtype: ScalarType.Float64);
        var u = zeros(m, n, dtype: ScalarType.Float64);
        OptimalityCheck? check = null;
        Tensor? dual = null;
        int iteration = 0;
        bool converged = false;
        while (iteration < maxIterations)
        {
            cancellation.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            using var s = new HeldScalars();
            var w = Project(z - u);
            var (left, sigma, right) = linalg.svd(w.add(u, s[1]), fullMatrices: false);      // W + U
            var zNext = (left * sigma.sub(s[1 / rho]).clamp_min(s[0])).matmul(right);     // singular values shrunk by 1/ρ
            var uNext = u.add(w, s[1]) - zNext;                                            // U + W − Z
            double primal = (w - zNext).norm().item<double>(), dualResidual = rho * (zNext - z).norm().item<double>();
            z.Dispose(); u.Dispose();
            z = step.MoveToOuter(zNext);
            u = step.MoveToOuter(uNext);
            iteration++;

            if (iteration % CheckEvery == 0 || iteration == maxIterations)
            {
                var y = pseudoInverse.t().mv(u.mul(s[rho]).reshape(-1));      // [p]: least-squares 𝒜*(y) ≈ ρU
                check = Check(problem, z, y);
                dual?.Dispose();
                dual = step.MoveToOuter(y);
                if (check.Holds(tolerance)) { converged = true; break; }
            }

            // Residual balancing: keep primal and dual residuals within a factor 10 of each other.
            if (primal > 10 * dualResidual) { rho *= 2; u.div_(s[2]); }
            else if (dualResidual > 10 * primal) { rho /= 2; u.mul_(s[2]); }
        }
        scope.MoveToOuter(z);
        scope.MoveToOuter(dual!);
        return new ConvexSolution(z, dual!, iteration, check!, converged);
    }

    /// <summary>Evaluates the optimality conditions of (<paramref name="w"/>, <paramref name="y"/>); see <see cref="OptimalityCheck"/>.</summary>
    /// <param name="problem">𝒜 and b.</param>
    /// <param name="w">A candidate solution <c>[m, n]</c>.</param>
    /// <param name="y">A candidate dual vector <c>[p]</c>.</param>
    public static OptimalityCheck Check(SensingProblem problem, Tensor w, Tensor y)
    {
        using var scope = NewDisposeScope();
        var a = problem.MeasurementMatrix;
        long m = problem.Rows, n = problem.Cols;
        var b = problem.Measurements;
        double residual = problem.RelativeResidual(w);

        var certificate = problem.Adjoint(y);                                // 𝒜*(y), [m, n]
        double dualNorm = linalg.svdvals(certificate)[0].item<double>();
        double lower = b.dot(y).item<double>() / Math.Max(1, dualNorm);

        // Π(W) = W − 𝒜*(𝒜𝒜*)⁻¹(𝒜(W) − b): the smallest correction that makes W feasible.
        var feasible = w - a.t().mv(linalg.solve(a.matmul(a.t()), problem.Measure(w) - b)).reshape(m, n);
        double upper = linalg.svdvals(feasible).sum().item<double>();

        using var s = new HeldScalars();
        var (left, sigma, right) = linalg.svd(w, fullMatrices: false);
        double top = sigma[0].item<double>();
        int rank = top == 0 ? 0 : (int)(sigma > s[top * RankTolerance]).sum().item<long>();
        double mismatch = 0;
        if (rank > 0)
        {
            var uu = left[.., ..rank];                                       // [m, r]
            var vv = right[..rank, ..].t();                                  // [n, r]
            var leftPart = uu.matmul(uu.t().matmul(certificate));
            var tangent = leftPart.add(certificate.matmul(vv).matmul(vv.t()), s[1]) - leftPart.matmul(vv).matmul(vv.t());
            mismatch = (tangent - uu.matmul(vv.t())).norm().item<double>() / Math.Sqrt(rank);
        }
        return new OptimalityCheck(residual, dualNorm, mismatch, rank, upper, lower);
    }
}
