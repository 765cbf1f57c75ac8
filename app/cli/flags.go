package cli

import (
	"os"
	"strings"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"

	"dispatchd/app/kafka"
	"dispatchd/config"
)

// globalFlag is one flag every command takes. A flag with a config path
// overrides that setting, and its help is the setting's doc.
type globalFlag struct {
	name  string
	short string
	path  string // the config path it sets; "" for --config itself
	help  string // only for a flag without a path
}

// configFlag names the YAML file to load.
const configFlag = "config"

// globalFlags registers the flags and maps them to config paths: the one
// list of them.
var globalFlags = []globalFlag{
	{name: configFlag, short: "c", help: "YAML config file"},
	{name: "brokers", path: "kafka.brokers"},
	{name: "http-addr", path: "http.addr"},
	{name: "group", path: "consumer.group"},
	{name: "ordering", path: "consumer.ordering"},
	{name: "log-level", path: "log.level"},
	{name: "log-format", path: "log.format"},
}

// addGlobalFlags registers globalFlags on c and its subcommands.
func addGlobalFlags(c *cobra.Command) {
	for _, f := range globalFlags {
		c.PersistentFlags().StringP(f.name, f.short, "", f.usage())
	}
}

// usage is the flag's help: the doc of the setting it overrides, and its path.
func (f globalFlag) usage() string {
	if f.path == "" {
		return f.help
	}
	v, ok := config.Lookup(f.path)
	if !ok {
		panic("cli: --" + f.name + " sets " + f.path + ", which is not a config path")
	}
	return strings.TrimSuffix(v.Doc, ".") + " (" + f.path + ")"
}

// load builds the config from --config, DISPATCHD_* and the flags that were
// set, and validates it. Its errors are exit code 2.
func load(cmd *cobra.Command) (config.Config, error) {
	return loadOver(cmd, config.Default())
}

// loadOver is load with base in place of the defaults.
func loadOver(cmd *cobra.Command, base config.Config) (config.Config, error) {
	over := map[string]string{}
	for _, f := range globalFlags {
		if fl := cmd.Flags().Lookup(f.name); f.path != "" && fl.Changed {
			over[f.path] = fl.Value.String()
		}
	}
	cfg, err := config.LoadOver(base, cmd.Flags().Lookup(configFlag).Value.String(), os.Environ(), over)
	if err != nil {
		return cfg, usageErr(err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageErr(err)
	}
	return cfg, nil
}

// loadClient is load plus the sarama client config the tools connect with.
func loadClient(cmd *cobra.Command) (config.Config, *sarama.Config, error) {
	cfg, err := load(cmd)
	if err != nil {
		return cfg, nil, err
	}
	sc, err := kafka.SaramaConfig(cfg)
	if err != nil {
		return cfg, nil, usageErr(err)
	}
	return cfg, sc, nil
}
