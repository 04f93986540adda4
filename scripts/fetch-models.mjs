// placeholder until the fetch script lands
