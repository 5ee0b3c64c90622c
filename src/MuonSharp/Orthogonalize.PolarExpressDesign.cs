namespace MuonSharp;

// Polar Express for any budget: the composition of minimax polynomials computed for a requested number
// of steps, lower singular-value bound and safety factor (Amsel et al. 2025, "The Polar Express: Optimal
// Matrix Sign Methods and Their Application to the Muon Algorithm", Algorithm 1), instead of the one
// published table (PolarExpressRaw, ℓ = 1e-3) the schedule above reads.
public static partial class Orthogonalize
{
    /// <summary>The lower singular-value bound ℓ the published Polar Express table was computed for (Amsel et al. 2025).</summary>
    public const double PolarExpressLowerBound = 1e-3;

    /// <summary>
    /// Cushioning of the authors' public code: each polynomial is made minimax on
    /// [max(ℓₜ, cushion·uₜ), uₜ] rather than on [ℓₜ, uₜ], because a polynomial optimal for a very small
    /// ℓₜ has a huge derivative that amplifies rounding; then it is rescaled to be centred on 1 over the
    /// whole [ℓₜ, uₜ]. Needed to reproduce the published table.
    /// </summary>
    public const double PolarExpressCushion = 0.02407327424182761;

    /// <summary>
    /// A Polar Express schedule and what it guarantees: singular values of the normalized input in
    /// [<see cref="LowerBound"/>, 1] end, after the polynomials of <see cref="Schedule"/> in exact
    /// arithmetic, in [<see cref="CertifiedLow"/>, <see cref="CertifiedHigh"/>].
    /// </summary>
    /// <param name="Schedule">The polynomials to apply, the safety factor included.</param>
    /// <param name="Optimal">The same polynomials before the safety factor (Algorithm 1's output).</param>
    /// <param name="LowerBound">ℓ, the smallest singular value the schedule is designed for (the largest is 1).</param>
    /// <param name="Safety">The safety factor applied to all polynomials but the last.</param>
    /// <param name="CertifiedLow">The smallest singular value the schedule can output from [ℓ, 1].</param>
    /// <param name="CertifiedHigh">The largest singular value the schedule can output from [ℓ, 1].</param>
    public sealed record PolarExpressDesign(IReadOnlyList<Coefficients> Schedule, IReadOnlyList<Coefficients> Optimal,
        double LowerBound, double Safety, double CertifiedLow, double CertifiedHigh)
    {
        /// <summary>The certified worst distance max |σ − 1| of an output singular value from 1.</summary>
        public double CertifiedWorstDistanceFromOne => Math.Max(1 - CertifiedLow, CertifiedHigh - 1);
    }

    /// <summary>
    /// Computes the Polar Express composition for <paramref name="steps"/> steps (Amsel et al. 2025,
    /// Algorithm 1): starting from [ℓ, u] = [<paramref name="lowerBound"/>, 1], each step takes the odd
    /// quintic p minimizing max |1 − p(x)| on the (cushioned) interval, found by the Remez exchange,
    /// rescales it so that 1 − p(ℓ) = p(u) − 1, and moves on to [p(ℓ), 2 − p(ℓ)]. Then every polynomial
    /// but the last is evaluated at x/<paramref name="safety"/>, as <see cref="PolarExpressSchedule(int)"/>
    /// does, and the interval the schedule maps [ℓ, 1] into is certified step by step from each polynomial's
    /// exact extrema on the current interval.
    /// </summary>
    /// <param name="steps">Number of polynomials, at least 1.</param>
    /// <param name="lowerBound">ℓ in (0, 1): the smallest normalized singular value to bring close to 1.</param>
    /// <param name="safety">Safety factor ≥ 1 (1: none); <see cref="PolarExpressSafety"/> by default.</param>
    public static PolarExpressDesign DesignPolarExpress(int steps, double lowerBound = PolarExpressLowerBound, double safety = PolarExpressSafety)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Invalid steps: {steps}. Accepted: an integer ≥ 1.");
        if (!(lowerBound > 0 && lowerBound < 1))
            throw new ArgumentOutOfRangeException(nameof(lowerBound), lowerBound, $"Invalid lowerBound: {lowerBound.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Accepted: a number in (0, 1).");
        if (!(double.IsFinite(safety) && safety >= 1))
            throw new ArgumentOutOfRangeException(nameof(safety), safety, $"Invalid safety: {safety.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Accepted: a finite number ≥ 1.");

        var optimal = new List<Coefficients>();
        double low = lowerBound, high = 1;
        for (int t = 0; t < steps; t++)
        {
            var p = OptimalOddQuintic(Math.Max(low, PolarExpressCushion * high), high);
            double rescale = 2 / (Evaluate(p, low) + Evaluate(p, high));   // centre on 1 over all of [low, high]
            p = new Coefficients(p.A * rescale, p.B * rescale, p.C * rescale);
            optimal.Add(p);
            low = Evaluate(p, low);
            high = 2 - low;
        }

        var schedule = optimal.Select((p, t) => t < steps - 1
            ? new Coefficients(p.A / safety, p.B / Math.Pow(safety, 3), p.C / Math.Pow(safety, 5))
            : p).ToList();
        double certifiedLow = lowerBound, certifiedHigh = 1;
        foreach (var p in schedule) (certifiedLow, certifiedHigh) = Range(p, certifiedLow, certifiedHigh);
        return new PolarExpressDesign(schedule, optimal, lowerBound, safety, certifiedLow, certifiedHigh);
    }

    /// <summary>The schedule of <see cref="DesignPolarExpress"/>: the Polar Express polynomials for any ℓ, step count and safety factor.</summary>
    /// <param name="steps">Number of polynomials, at least 1.</param>
    /// <param name="lowerBound">ℓ in (0, 1).</param>
    /// <param name="safety">Safety factor ≥ 1.</param>
    public static IReadOnlyList<Coefficients> PolarExpressSchedule(int steps, double lowerBound, double safety) =>
        DesignPolarExpress(steps, lowerBound, safety).Schedule;

    /// <summary>p(x) = a·x + b·x³ + c·x⁵.</summary>
    private static double Evaluate(Coefficients p, double x) => x * (p.A + x * x * (p.B + x * x * p.C));

    /// <summary>
    /// The odd quintic a·x + b·x³ + c·x⁵ minimizing max |1 − p(x)| over [l, u] (0 &lt; l ≤ u). By the
    /// equioscillation theorem the error reaches ±E alternately at l, two interior points q &lt; r and u;
    /// the Remez exchange solves p(xᵢ) ∓ E = 1 at the four points for (a, b, c, E), moves q and r to the
    /// roots of p′ (closed form: p′ is a quadratic in x²), and repeats until E stops changing.
    /// </summary>
    internal static Coefficients OptimalOddQuintic(double l, double u)
    {
        // When l ≈ u the equioscillating polynomial is, to double precision, the one with p(u) = 1 and
        // p′(u) = p″(u) = 0 (its limit), whose Remez system would be singular.
        if (l / u >= 1 - 5e-6) return new Coefficients(15.0 / 8 / u, -10.0 / 8 / Math.Pow(u, 3), 3.0 / 8 / Math.Pow(u, 5));
        double q = (3 * l + u) / 4, r = (l + 3 * u) / 4;   // exact in the limit l → u
        double error = double.PositiveInfinity;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            var points = new[] { l, q, r, u };
            var system = new double[4, 5];
            for (int i = 0; i < 4; i++)
            {
                double x = points[i];
                (system[i, 0], system[i, 1], system[i, 2], system[i, 3], system[i, 4]) = (x, x * x * x, Math.Pow(x, 5), i % 2 == 0 ? 1 : -1, 1);
            }
            var (a, b, c, e) = SolveFourByFour(system);
            double discriminant = Math.Sqrt(9 * b * b - 20 * a * c);
            (q, r) = (Math.Sqrt((-3 * b - discriminant) / (10 * c)), Math.Sqrt((-3 * b + discriminant) / (10 * c)));
            bool converged = Math.Abs(error - e) <= 1e-15;
            error = e;
            if (converged) return new Coefficients(a, b, c);
        }
        throw new InvalidOperationException($"The Remez exchange for the Polar Express polynomial on [{l}, {u}] did not converge.");
    }

    /// <summary>Gaussian elimination with partial pivoting on an augmented 4×5 system.</summary>
    private static (double, double, double, double) SolveFourByFour(double[,] m)
    {
        const int n = 4;
        for (int column = 0; column < n; column++)
        {
            int pivot = Enumerable.Range(column, n - column).MaxBy(row => Math.Abs(m[row, column]));
            for (int k = 0; k <= n; k++) (m[column, k], m[pivot, k]) = (m[pivot, k], m[column, k]);
            for (int row = 0; row < n; row++)
            {
                if (row == column) continue;
                double factor = m[row, column] / m[column, column];
                for (int k = column; k <= n; k++) m[row, k] -= factor * m[column, k];
            }
        }
        return (m[0, n] / m[0, 0], m[1, n] / m[1, 1], m[2, n] / m[2, 2], m[3, n] / m[3, 3]);
    }

    /// <summary>The exact minimum and maximum of p over [low, high]: at the ends or at a root of p′ inside.</summary>
    private static (double Low, double High) Range(Coefficients p, double low, double high)
    {
        var candidates = new List<double> { low, high };
        // p′(x) = a + 3b·x² + 5c·x⁴: a quadratic in y = x².
        if (p.C != 0)
        {
            double discriminant = 9 * p.B * p.B - 20 * p.A * p.C;
            if (discriminant >= 0)
                foreach (double y in new[] { (-3 * p.B - Math.Sqrt(discriminant)) / (10 * p.C), (-3 * p.B + Math.Sqrt(discriminant)) / (10 * p.C) })
                    if (y > 0 && Math.Sqrt(y) > low && Math.Sqrt(y) < high) candidates.Add(Math.Sqrt(y));
        }
        else if (p.B != 0 && -p.A / (3 * p.B) > 0 && Math.Sqrt(-p.A / (3 * p.B)) is var x && x > low && x < high) candidates.Add(x);
        var values = candidates.Select(x => Evaluate(p, x)).ToList();
        return (values.Min(), values.Max());
    }
}
