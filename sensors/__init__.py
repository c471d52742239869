"""When the pipeline runs by itself, and who hears when it fails: the nightly schedule, the sensor on the
source folder, and the alert sensors for failed, blocked and cancelled runs."""
