using System.Text;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// Generators derived from (run seed, named stream). Data, initialization, mini-batch order and noise
/// each draw from their own stream, so one more draw in one place never shifts the numbers of another —
/// and two runs that should share a draw (every optimizer of a seed starts from the same weights) get it
/// by naming the same stream.
/// </summary>
/// <remarks>
/// Stream names are hashed with FNV-1a (64 bits) over their UTF-8 bytes — stable across processes and
/// machines, unlike <see cref="string.GetHashCode()"/>, which .NET randomizes per process — and mixed with
/// the seed by splitmix64's finalizer (Steele, Lea &amp; Flood 2014). torch's CPU generator seeds its
/// Mersenne Twister from the low 32 bits of the seed only (measured: seeds 1 and 1 + 2³² draw the same
/// numbers), so the derived seed's high half is folded into its low half: every bit of the seed and of the
/// name reaches the 32 bits torch uses, and the 64-bit value stays a faithful record of the derivation.
/// </remarks>
public static class SeedStreams
{
    /// <summary>The generator seed of <paramref name="stream"/> for run seed <paramref name="seed"/>.</summary>
    /// <param name="seed">The run's seed (any int; negative seeds are as good as positive ones).</param>
    /// <param name="stream">A non-empty name such as <c>init</c>, <c>data</c> or <c>batches</c>.</param>
    public static ulong Seed(int seed, string stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ulong mixed = Mix(Mix((uint)seed) ^ Fnv1a(stream));
        return mixed ^ (mixed >> 32);
    }

    /// <summary>Offset of the tuning seed from the first measured seed, so tuning never sees a measured seed's data or initialization.</summary>
    public const int TuningSeedOffset = 10_000;

    /// <summary>The seed hyperparameter searches run on: the config's first seed plus <see cref="TuningSeedOffset"/>.</summary>
    /// <param name="config">The experiment's config.</param>
    public static int TuningSeed(Experiments.ExperimentConfig config) => config.Seed + TuningSeedOffset;

    /// <summary>A fresh CPU generator for (<paramref name="seed"/>, <paramref name="stream"/>); the caller disposes it.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="stream">The stream's name.</param>
    public static Generator Generator(int seed, string stream) => new(Seed(seed, stream));

    private static ulong Fnv1a(string text)
    {
        const ulong offsetBasis = 14695981039346656037UL, prime = 1099511628211UL;
        ulong hash = offsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            hash = unchecked((hash ^ b) * prime);
        return hash;
    }

    /// <summary>splitmix64's finalizer: a bijection on 64 bits whose every output bit depends on every input bit.</summary>
    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
