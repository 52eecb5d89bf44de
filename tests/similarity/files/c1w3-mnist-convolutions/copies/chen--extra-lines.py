# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    # YOUR CODE HERE
    n = len(images)
    assert images.ndim == 3, "expected (n, 28, 28)"
    return np.reshape(images, (n, 28, 28, 1)) / 255
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        if logs is None:
            return
        if logs["accuracy"] < 0.995:
            return
        print(f"\nEpoch {epoch + 1}:")
        print("Reached 99.5% accuracy so cancelling training!")
        self.model.stop_training = True
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    # YOUR CODE HERE
    inputs = tf.keras.Input(shape=(28, 28, 1))
    x = tf.keras.layers.Conv2D(32, 3, activation="relu")(inputs)
    x = tf.keras.layers.MaxPooling2D()(x)
    x = tf.keras.layers.Dropout(0.2)(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(128, activation="relu")(x)
    outputs = tf.keras.layers.Dense(10, activation="softmax")(x)
    model = tf.keras.Sequential([inputs, tf.keras.Model(inputs, outputs)])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.summary()
    return model
