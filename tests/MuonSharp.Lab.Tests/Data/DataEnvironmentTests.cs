using MuonSharp.Lab.Data;

namespace MuonSharp.Lab.Tests.Data;

/// <summary>Where the cache and the user's files are, and offline mode, as the environment says.</summary>
public sealed class DataEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_cache_is_MUONSHARP_DATA_else_XDG_CACHE_HOME_else_home_dot_cache()
    {
        Assert.Equal("/data/cache", DataEnvironment.CacheDirectory(Env(("MUONSHARP_DATA", "/data/cache"), ("XDG_CACHE_HOME", "/xdg"))));
        Assert.Equal("/xdg/muonsharp/data", DataEnvironment.CacheDirectory(Env(("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/ada"))));
        Assert.Equal("/home/ada/.cache/muonsharp/data", DataEnvironment.CacheDirectory(Env(("HOME", "/home/ada"), ("XDG_CACHE_HOME", " "))));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Offline_mode_is_on_for_1_true_or_yes(string? value, bool offline)
    {
        Assert.Equal(offline, DataEnvironment.IsOffline(Env(("MUONSHARP_OFFLINE", value!))));
    }

    [Fact]
    public void The_data_dir_option_wins_over_MUONSHARP_DATA_DIR()
    {
        using var temp = new TempDirectory();
        var fromVariable = Directory.CreateDirectory(temp.Sub("variable")).FullName;
        var fromOption = Directory.CreateDirectory(temp.Sub("option")).FullName;
        var env = Env(("MUONSHARP_DATA_DIR", fromVariable), ("MUONSHARP_DATA", temp.Sub("cache")), ("MUONSHARP_OFFLINE", "1"));

        var store = DatasetStore.FromEnvironment(null, env);

        Assert.Equal(fromVariable, store.UserDataDirectory);
        Assert.Equal(temp.Sub("cache"), store.CacheDirectory);
        Assert.True(store.Offline);
        Assert.Equal(fromOption, DatasetStore.FromEnvironment(fromOption, env).UserDataDirectory);
        Assert.False(DatasetStore.FromEnvironment(null, Env(("MUONSHARP_DATA", temp.Sub("cache")))).Offline);
    }
}
