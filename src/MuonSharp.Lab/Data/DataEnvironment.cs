namespace MuonSharp.Lab.Data;

/// <summary>The environment variables of the dataset layer and the default cache location.</summary>
public static class DataEnvironment
{
    /// <summary>The cache directory, when set (default: the user's cache directory, see <see cref="CacheDirectory()"/>).</summary>
    public const string CacheVariable = "MUONSHARP_DATA";

    /// <summary>The user's own data files (what <c>--data-dir</c> sets); files there take precedence over the cache.</summary>
    public const string UserDirectoryVariable = "MUONSHARP_DATA_DIR";

    /// <summary><c>1</c> (or <c>true</c>, <c>yes</c>) forbids every download; the test suite sets it.</summary>
    public const string OfflineVariable = "MUONSHARP_OFFLINE";

    /// <summary>
    /// <c>$MUONSHARP_DATA</c> if set, else <c>$XDG_CACHE_HOME/muonsharp/data</c>, else
    /// <c>~/.cache/muonsharp/data</c> (the XDG base-directory rule for caches).
    /// </summary>
    public static string CacheDirectory() => CacheDirectory(Environment.GetEnvironmentVariable);

    /// <summary>Whether <c>MUONSHARP_OFFLINE</c> forbids downloads.</summary>
    public static bool IsOffline() => IsOffline(Environment.GetEnvironmentVariable);

    internal static string CacheDirectory(Func<string, string?> variable)
    {
        if (NonEmpty(variable(CacheVariable)) is { } explicitDirectory) return Path.GetFullPath(explicitDirectory);
        var cacheHome = NonEmpty(variable("XDG_CACHE_HOME"))
            ?? Path.Combine(NonEmpty(variable("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.GetFullPath(Path.Combine(cacheHome, "muonsharp", "data"));
    }

    internal static bool IsOffline(Func<string, string?> variable) =>
        NonEmpty(variable(OfflineVariable))?.ToLowerInvariant() is "1" or "true" or "yes";

    internal static string? UserDirectory(Func<string, string?> variable) => NonEmpty(variable(UserDirectoryVariable));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
